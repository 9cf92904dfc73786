"""The class as data: its roster, its students' labs, its quota, results and handouts."""
