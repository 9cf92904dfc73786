"""What the class commands print: the live class build, the class's machines, its quota."""
