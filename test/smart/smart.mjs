// Drives Sen's SMART App Launch authorization server with openid-client, a
// certified OpenID Connect relying-party library from npm, and exits
// non-zero on the first mismatch. Run by smart_test.go, which serves Sen and
// sets the SEN_* variables.
import * as client from 'openid-client';

const env = (k) => {
  const v = process.env[k];
  if (!v) {
    console.error(`${k} is not set`);
    process.exit(2);
  }
  return v;
};
const base = env('SEN_BASE_URL');
const fhirBase = base + '/fhir';
const redirectUri = env('SEN_REDIRECT_URI');
const patient = env('SEN_PATIENT');
const other = env('SEN_OTHER_PATIENT');

function check(cond, msg) {
  if (!cond) throw new Error('mismatch: ' + msg);
  console.log('ok - ' + msg);
}

// rejects reports whether p fails with an OAuth error whose code is want.
async function rejects(p, want) {
  try {
    await p;
    return false;
  } catch (e) {
    return e.code === 'OAUTH_RESPONSE_BODY_ERROR' && e.error === want;
  }
}

// signIn plays the browser: it opens the authorization URL, fills in the
// sign-in form (keeping its hidden fields) and returns the redirect back to
// the app, which carries the code and state.
async function signIn(authURL) {
  const page = await fetch(authURL, { redirect: 'manual' });
  const html = await page.text();
  check(page.status === 200 && html.includes('Mật khẩu / Password'), 'authorize shows the sign-in form');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(m[1], m[2].replaceAll('&amp;', '&').replaceAll('&#43;', '+').replaceAll('&#34;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
  }
  form.set('username', env('SEN_USER'));
  form.set('password', env('SEN_PASSWORD'));
  const res = await fetch(new URL('authorize', authURL), { method: 'POST', body: form, redirect: 'manual' });
  const loc = res.headers.get('location');
  check(res.status === 302 && loc && loc.startsWith(redirectUri), `sign-in redirects to the app (${res.status})`);
  return new URL(loc);
}

async function main() {
  // SMART discovery: the server metadata comes from the FHIR base's
  // .well-known/smart-configuration, as SMART App Launch 2.0 prescribes.
  const wk = await fetch(fhirBase + '/.well-known/smart-configuration').then((r) => (r.ok ? r : fetch(base + '/.well-known/smart-configuration')));
  const meta = await wk.json();
  check(meta.code_challenge_methods_supported.includes('S256'), 'smart-configuration offers PKCE S256');
  // Sen signs id_tokens with ES256 and says so; OpenID Connect clients
  // would otherwise assume RS256.
  check(Array.isArray(meta.id_token_signing_alg_values_supported) && meta.id_token_signing_alg_values_supported.includes('ES256'),
    'smart-configuration names the id_token signing algorithm (ES256)');
  const config = new client.Configuration(meta, env('SEN_CLIENT_ID'), { id_token_signed_response_alg: 'ES256' }, client.None());
  client.allowInsecureRequests(config); // loopback test server speaks plain HTTP

  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const state = client.randomState();
  const nonce = client.randomNonce(); // echoed in the id_token (OpenID Connect Core 3.1.2.1)
  const scope = 'openid fhirUser launch/patient offline_access patient/Patient.rs patient/Observation.rs';
  const authURL = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, nonce, aud: fhirBase,
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  const back = await signIn(authURL);

  // A wrong PKCE verifier must not redeem the code... but a failed attempt
  // may burn it, so the real exchange goes first and the replay after.
  const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  check(typeof tokens.access_token === 'string' && tokens.token_type.toLowerCase() === 'bearer', 'code exchanged for a bearer access token');
  check(typeof tokens.refresh_token === 'string', 'offline_access yields a refresh token');
  check(tokens.patient === patient, `launch/patient context is ${patient}`);
  const claims = tokens.claims();
  check(claims && claims.fhirUser && claims.fhirUser.endsWith('Patient/' + patient), 'id_token verified by openid-client names the fhirUser');
  check(String(tokens.scope).split(' ').includes('patient/Patient.rs'), 'granted scope includes patient/Patient.rs');

  check(await rejects(client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }), 'invalid_grant'),
    'the code cannot be redeemed twice');

  const read = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${fhirBase}/Patient/${patient}`), 'GET');
  const pat = await read.json();
  check(read.status === 200 && pat.resourceType === 'Patient' && pat.id === patient, 'FHIR read with the access token');
  const denied = await client.fetchProtectedResource(config, tokens.access_token, new URL(`${fhirBase}/Patient/${other}`), 'GET');
  check(denied.status === 403 || denied.status === 404, `another patient's record is refused (${denied.status})`);
  const anon = await fetch(`${fhirBase}/Patient/${patient}`);
  check(anon.status === 401, 'no token, no record');

  const next = await client.refreshTokenGrant(config, tokens.refresh_token);
  check(next.access_token && next.access_token !== tokens.access_token, 'refresh issues a new access token');
  check(next.refresh_token && next.refresh_token !== tokens.refresh_token, 'refresh rotates the refresh token');
  const again = await client.fetchProtectedResource(config, next.access_token, new URL(`${fhirBase}/Patient/${patient}`), 'GET');
  check(again.status === 200, 'the refreshed access token reads the record');

  check(await rejects(client.refreshTokenGrant(config, tokens.refresh_token), 'invalid_grant'), 'the used refresh token is refused');
  check(await rejects(client.refreshTokenGrant(config, next.refresh_token), 'invalid_grant'), 'reuse revoked the whole token family');

  // PKCE is required: a flow without a verifier is refused at the token endpoint.
  const state2 = client.randomState();
  const v2 = client.randomPKCECodeVerifier();
  const back2 = await signIn(client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state: state2, aud: fhirBase,
    code_challenge: await client.calculatePKCECodeChallenge(v2), code_challenge_method: 'S256',
  }));
  check(await rejects(client.authorizationCodeGrant(config, back2, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state2 }), 'invalid_grant'),
    'a wrong PKCE verifier is refused');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
