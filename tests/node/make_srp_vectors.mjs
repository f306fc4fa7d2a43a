// Regenerates tests/data/srp_vectors_cognito_identity_js.json: SRP values computed by
// amazon-cognito-identity-js's own AuthenticationHelper for fixed secrets.
// Run from the repository root: node tests/node/make_srp_vectors.mjs
import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper.js').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger.js').default;

const CASES = [
  ['us-east-1_Abc123XyZ', 'carol', 'Passw0rd!', '8f2e3d4c5b6a79880123456789abcdef', 21],
  ['ap-south-1_k3Y9wQ2pL', '0e1c0e2a-9b3d-4c5e-8f70-123456789abc', 'pässwörd ✓ 123', '1', 22],
  ['us-west-2_AAAAAAAAA', 'dave@example.com', 'P@ss', '00ff00ff00ff00ff00ff', 23],
];
const SECRET_BLOCK = Buffer.from('another opaque block \u0000\u00ff', 'latin1').toString('base64');
const TIMESTAMP = 'Sun Nov 22 00:05:09 UTC 2026';

const digest = (algorithm, text) => createHash(algorithm).update(text).digest('hex');
const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

async function vector([poolId, userId, password, saltHex, seed]) {
  const poolName = poolId.split('_')[1];
  const helper = new AuthenticationHelper(poolName);
  const a = new BigInteger(digest('sha512', `a${seed}`), 16);
  const b = new BigInteger(digest('sha256', `b${seed}`), 16);
  helper.smallAValue = a;
  helper.largeAValue = await call((cb) => helper.calculateA(a, cb));
  const salt = new BigInteger(saltHex, 16);
  const inner = helper.hash(`${poolName}${userId}:${password}`);
  const x = new BigInteger(helper.hexHash(helper.padHex(salt) + inner), 16);
  const verifier = await call((cb) => helper.g.modPow(x, helper.N, cb));
  const gb = await call((cb) => helper.g.modPow(b, helper.N, cb));
  const B = helper.k.multiply(verifier).add(gb).mod(helper.N);
  const key = await call((cb) => helper.getPasswordAuthenticationKey(userId, password, B, salt, cb));
  const message = Buffer.concat([
    Buffer.from(poolName, 'utf8'),
    Buffer.from(userId, 'utf8'),
    Buffer.from(SECRET_BLOCK, 'base64'),
    Buffer.from(TIMESTAMP, 'utf8'),
  ]);
  return {
    pool_id: poolId,
    user_id: userId,
    password,
    salt: salt.toString(16),
    verifier: verifier.toString(16),
    b: b.toString(16),
    A: helper.largeAValue.toString(16),
    B: B.toString(16),
    key: Buffer.from(key).toString('hex'),
    secret_block: SECRET_BLOCK,
    timestamp: TIMESTAMP,
    signature: createHmac('sha256', key).update(message).digest('base64'),
  };
}

const out = new URL('../data/srp_vectors_cognito_identity_js.json', import.meta.url);
writeFileSync(out, JSON.stringify(await Promise.all(CASES.map(vector)), null, 1) + '\n');
console.log(`wrote ${out.pathname}`);
