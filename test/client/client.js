// Drives a Sen server at $SEN_FHIR_URL with fhir-kit-client, a FHIR client
// library from npm, and exits non-zero on the first mismatch.
'use strict';
const Client = require('fhir-kit-client');

const baseUrl = process.env.SEN_FHIR_URL;
if (!baseUrl) {
  console.error('SEN_FHIR_URL is not set');
  process.exit(2);
}
const client = new Client({ baseUrl });

function check(cond, msg) {
  if (!cond) throw new Error('mismatch: ' + msg);
  console.log('ok - ' + msg);
}

async function main() {
  const meta = await client.capabilityStatement();
  check(meta.resourceType === 'CapabilityStatement' && meta.fhirVersion === '4.0.1', 'capability statement');

  const created = await client.create({
    resourceType: 'Patient',
    body: { resourceType: 'Patient', identifier: [{ system: 'urn:sen:client', value: 'c-1' }], name: [{ family: 'Tran', given: ['Binh'] }], gender: 'male' },
  });
  check(created.id && created.meta.versionId === '1', 'create assigns id and version 1');
  const id = created.id;

  const read = await client.read({ resourceType: 'Patient', id });
  check(read.name[0].family === 'Tran', 'read returns the created patient');

  read.gender = 'female';
  const updated = await client.update({ resourceType: 'Patient', id, body: read });
  check(updated.meta.versionId === '2' && updated.gender === 'female', 'update makes version 2');

  const v1 = await client.vread({ resourceType: 'Patient', id, version: '1' });
  check(v1.gender === 'male', 'vread of version 1');

  const patched = await client.patch({
    resourceType: 'Patient', id,
    JSONPatch: [{ op: 'replace', path: '/gender', value: 'other' }],
  });
  check(patched.gender === 'other' && patched.meta.versionId === '3', 'JSON patch makes version 3');

  const hist = await client.history({ resourceType: 'Patient', id });
  check(hist.type === 'history' && hist.entry.length === 3, 'history has 3 versions');

  const found = await client.search({ resourceType: 'Patient', searchParams: { identifier: 'urn:sen:client|c-1' } });
  check(found.type === 'searchset' && found.total === 1 && found.entry[0].resource.id === id, 'search by identifier');

  const tx = await client.transaction({
    body: {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:2b8d4c1e-1f43-4b5a-9d0e-3f0a2c1b7e11', resource: { resourceType: 'Patient', identifier: [{ system: 'urn:sen:client', value: 'c-2' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: 'urn:uuid:2b8d4c1e-1f43-4b5a-9d0e-3f0a2c1b7e11' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    },
  });
  check(tx.type === 'transaction-response' && tx.entry.every((e) => e.response.status.startsWith('201')), 'transaction creates both entries');
  const obsId = tx.entry[1].response.location.split('/')[1];
  const patId = tx.entry[0].response.location.split('/')[1];
  const obs = await client.read({ resourceType: 'Observation', id: obsId });
  check(obs.subject.reference === 'Patient/' + patId, 'transaction rewrote the urn:uuid reference');

  await client.delete({ resourceType: 'Patient', id });
  let gone = false;
  try {
    await client.read({ resourceType: 'Patient', id });
  } catch (err) {
    gone = err.response && err.response.status === 410;
  }
  check(gone, 'read after delete answers 410');
}

main().then(() => console.log('all checks passed'), (err) => {
  console.error(err.stack || err);
  if (err.response && err.response.data) console.error(JSON.stringify(err.response.data));
  process.exit(1);
});
