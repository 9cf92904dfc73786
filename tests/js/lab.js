// The Azure SDK for JavaScript as a second real client of the emulator.
//
// Builds the lab's resource set in parallel (group; NSG, VNet with two subnets, storage account
// and five public IPs; five NICs; three etcd VMs and two hosts), reads every resource and
// instance view, deletes the group. Each step is reported, none stops the run, so the caller
// can compare the set of failing steps with the known one. Prints one JSON line:
//   {"steps": {"<step>": "ok" | "<error>"}, "node": "<version>"}
//
// Environment: EMULATOR_CONNECTION (path of the emulator's connection.json), LAB_SSH_KEY (an
// OpenSSH public key), NODE_EXTRA_CA_CERTS (the emulator's CA: TLS stays verified).
"use strict";

const fs = require("node:fs");
const { ResourceManagementClient } = require("@azure/arm-resources");
const { NetworkManagementClient } = require("@azure/arm-network");
const { ComputeManagementClient } = require("@azure/arm-compute");
const { StorageManagementClient } = require("@azure/arm-storage");

const LOCATION = "westeurope";
const GROUP = "coreos-lab-js";
const POLL = { updateIntervalInMs: 50 };
const ETCD = ["etcd0", "etcd1", "etcd2"];
const HOSTS = ["host0", "host1"];
const MACHINES = [...ETCD, ...HOSTS];
const IGNITION = Buffer.from('{"ignition":{"version":"3.4.0"}}').toString("base64");

const connection = JSON.parse(fs.readFileSync(process.env.EMULATOR_CONNECTION, "utf8"));
const sshKey = process.env.LAB_SSH_KEY;
const credential = {
  // A static token, as the emulator hands out: the SDK's bearer-token policy asks for it.
  getToken: async () => ({ token: connection.token, expiresOnTimestamp: Date.now() + 3600e3 }),
};
const options = {
  endpoint: connection.endpoint,
  credentialScopes: ["https://management.azure.com/.default"],
  // The SDK's own retry policy, with short delays: faults are injected at 10 %.
  retryOptions: { maxRetries: 8, retryDelayInMs: 20, maxRetryDelayInMs: 200 },
};
const sub = connection.subscription_id;
const resources = new ResourceManagementClient(credential, sub, options);
const network = new NetworkManagementClient(credential, sub, options);
const compute = new ComputeManagementClient(credential, sub, options);
const storage = new StorageManagementClient(credential, sub, options);

const steps = {};
async function step(name, run) {
  try {
    await run();
    steps[name] = "ok";
  } catch (error) {
    const code = error.code || (error.details && error.details.error && error.details.error.code);
    steps[name] = `${error.statusCode || ""} ${code || ""} ${String(error.message).slice(0, 200)}`;
  }
}

function id(provider, kind, name) {
  return `/subscriptions/${sub}/resourceGroups/${GROUP}/providers/${provider}/${kind}/${name}`;
}

async function all(promises) {
  const results = await Promise.allSettled(promises);
  const failed = results.filter((r) => r.status === "rejected");
  if (failed.length) throw failed[0].reason;
  return results.map((r) => r.value);
}

async function listAll(iterator) {
  const items = [];
  for await (const item of iterator) items.push(item);
  return items;
}

function expect(condition, what) {
  if (!condition) throw new Error(what);
}

async function build() {
  await step("create group", () =>
    resources.resourceGroups.createOrUpdate(GROUP, { location: LOCATION, tags: { lab: "js" } }),
  );
  await Promise.all([
    step("create nsg", () =>
      network.networkSecurityGroups.beginCreateOrUpdateAndWait(
        GROUP,
        "lab-nsg",
        {
          location: LOCATION,
          securityRules: [
            {
              name: "ssh",
              protocol: "Tcp",
              sourcePortRange: "*",
              destinationPortRange: "22",
              sourceAddressPrefix: "203.0.113.0/24",
              destinationAddressPrefix: "*",
              access: "Allow",
              priority: 100,
              direction: "Inbound",
            },
          ],
        },
        POLL,
      ),
    ),
    step("create vnet", () =>
      network.virtualNetworks.beginCreateOrUpdateAndWait(
        GROUP,
        "lab-vnet",
        {
          location: LOCATION,
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [
            { name: "etcd", addressPrefix: "10.0.0.0/24" },
            { name: "hosts", addressPrefix: "10.0.1.0/24" },
          ],
        },
        POLL,
      ),
    ),
    step("create storage", () =>
      storage.storageAccounts.beginCreateAndWait(
        GROUP,
        "coreoslabjs0001",
        {
          location: LOCATION,
          sku: { name: "Standard_LRS" },
          kind: "StorageV2",
          enableHttpsTrafficOnly: true,
          minimumTlsVersion: "TLS1_2",
          allowBlobPublicAccess: false,
        },
        POLL,
      ),
    ),
    step("create public ips", () =>
      all(
        MACHINES.map((m) =>
          network.publicIPAddresses.beginCreateOrUpdateAndWait(
            GROUP,
            `${m}-ip`,
            {
              location: LOCATION,
              sku: { name: "Standard", tier: "Regional" },
              publicIPAllocationMethod: "Static",
              publicIPAddressVersion: "IPv4",
            },
            POLL,
          ),
        ),
      ),
    ),
  ]);
  await step("create nics", () =>
    all(
      MACHINES.map((m, i) => {
        const etcd = ETCD.includes(m);
        const subnet = etcd ? "etcd" : "hosts";
        const address = etcd ? `10.0.0.${4 + i}` : `10.0.1.${4 + i - ETCD.length}`;
        return network.networkInterfaces.beginCreateOrUpdateAndWait(
          GROUP,
          `${m}-nic`,
          {
            location: LOCATION,
            networkSecurityGroup: { id: id("Microsoft.Network", "networkSecurityGroups", "lab-nsg") },
            ipConfigurations: [
              {
                name: "ipconfig1",
                privateIPAllocationMethod: "Static",
                privateIPAddress: address,
                subnet: { id: `${id("Microsoft.Network", "virtualNetworks", "lab-vnet")}/subnets/${subnet}` },
                publicIPAddress: { id: id("Microsoft.Network", "publicIPAddresses", `${m}-ip`) },
              },
            ],
          },
          POLL,
        );
      }),
    ),
  );
  await step("create vms", () =>
    all(
      MACHINES.map((m) =>
        compute.virtualMachines.beginCreateOrUpdateAndWait(
          GROUP,
          m,
          {
            location: LOCATION,
            tags: { role: ETCD.includes(m) ? "etcd" : "host" },
            hardwareProfile: { vmSize: ETCD.includes(m) ? "Standard_B2ats_v2" : "Standard_B2als_v2" },
            storageProfile: {
              imageReference: {
                publisher: "kinvolk",
                offer: "flatcar-container-linux-corevm-amd64",
                sku: "stable-gen2",
                version: "latest",
              },
              osDisk: {
                name: `${m}-osdisk`,
                createOption: "FromImage",
                managedDisk: { storageAccountType: "StandardSSD_LRS" },
                deleteOption: "Delete",
              },
            },
            osProfile: {
              computerName: m,
              adminUsername: "core",
              customData: IGNITION,
              linuxConfiguration: {
                disablePasswordAuthentication: true,
                ssh: { publicKeys: [{ path: "/home/core/.ssh/authorized_keys", keyData: sshKey }] },
              },
            },
            networkProfile: {
              networkInterfaces: [
                {
                  id: id("Microsoft.Network", "networkInterfaces", `${m}-nic`),
                  primary: true,
                  deleteOption: "Delete",
                },
              ],
            },
          },
          POLL,
        ),
      ),
    ),
  );
}

async function read() {
  await Promise.all([
    step("read group", async () => {
      const group = await resources.resourceGroups.get(GROUP);
      expect(group.properties.provisioningState === "Succeeded", "group not Succeeded");
    }),
    step("read nsg", async () => {
      const nsg = await network.networkSecurityGroups.get(GROUP, "lab-nsg");
      expect(nsg.defaultSecurityRules.length === 6, "default rules");
    }),
    step("read vnet and subnets", async () => {
      await network.virtualNetworks.get(GROUP, "lab-vnet");
      const subnets = await listAll(network.subnets.list(GROUP, "lab-vnet"));
      expect(subnets.length === 2, `${subnets.length} subnets`);
      await all(["etcd", "hosts"].map((s) => network.subnets.get(GROUP, "lab-vnet", s)));
    }),
    step("read storage", async () => {
      const account = await storage.storageAccounts.getProperties(GROUP, "coreoslabjs0001");
      expect(account.provisioningState === "Succeeded", "storage not Succeeded");
    }),
    step("read public ips", async () => {
      const ips = await all(MACHINES.map((m) => network.publicIPAddresses.get(GROUP, `${m}-ip`)));
      expect(ips.every((ip) => ip.ipAddress), "an address is missing");
    }),
    step("read nics", async () => {
      const nics = await all(MACHINES.map((m) => network.networkInterfaces.get(GROUP, `${m}-nic`)));
      expect(nics.every((n) => n.virtualMachine && n.virtualMachine.id), "a NIC is not attached");
    }),
    step("read vms", async () => {
      const vms = await all(MACHINES.map((m) => compute.virtualMachines.get(GROUP, m)));
      expect(vms.every((vm) => vm.provisioningState === "Succeeded"), "a VM is not Succeeded");
    }),
    step("read vms with $expand=instanceView", async () => {
      const vms = await all(
        MACHINES.map((m) => compute.virtualMachines.get(GROUP, m, { expand: "instanceView" })),
      );
      expect(vms.every((vm) => vm.instanceView && vm.instanceView.statuses.length), "no statuses");
    }),
    step("read instance views (virtualMachines.instanceView)", async () => {
      const views = await all(MACHINES.map((m) => compute.virtualMachines.instanceView(GROUP, m)));
      expect(views.every((v) => v.statuses.length), "no statuses");
    }),
    step("list vms, disks and group resources", async () => {
      const vms = await listAll(compute.virtualMachines.list(GROUP));
      const disks = await listAll(compute.disks.listByResourceGroup(GROUP));
      const listed = await listAll(resources.resources.listByResourceGroup(GROUP));
      expect(vms.length === 5 && disks.length === 5, `${vms.length} vms, ${disks.length} disks`);
      expect(listed.length >= 5 + 5 + 5 + 5 + 3, `${listed.length} resources listed`);
    }),
  ]);
}

async function teardown() {
  await step("delete group", () => resources.resourceGroups.beginDeleteAndWait(GROUP, POLL));
  await step("group is gone", async () => {
    const exists = await resources.resourceGroups.checkExistence(GROUP);
    expect(exists.body === false, "the group still exists");
  });
}

async function main() {
  await build();
  await read();
  await teardown();
  process.stdout.write(JSON.stringify({ steps, node: process.version }) + "\n");
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
});
