// Regenerates tests/data/device_srp_vectors.json: device SRP values computed by
// amazon-cognito-identity-js's own CognitoUser and AuthenticationHelper for fixed secrets.
// Run from the repository root (after `npm ci --prefix tests/node`; takes about 2 s):
//   node tests/node/make_device_srp_vectors.mjs
//
// The library's real code paths are driven against a scripted client instead of a server, so
// each vector holds exactly what identity-js sends: the ConfirmDevice DeviceSecretVerifierConfig
// (CognitoUser.authenticateUserInternal on a result with NewDeviceMetadata) and the SRP_A,
// TIMESTAMP and PASSWORD_CLAIM_SIGNATURE of a DEVICE_SRP_AUTH answer (getDeviceResponse).
// Its randomness (a, the device password, the salt) is replaced by planned bytes and its
// clock by a fixed moment; the server's b is fixed here and B is computed from the verifier
// the way the server does it.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const lib = (path) => require(`amazon-cognito-identity-js/lib/${path}.js`).default;
const AuthenticationHelper = lib('AuthenticationHelper');
const BigInteger = lib('BigInteger');
const CognitoUser = lib('CognitoUser');
const CognitoUserPool = lib('CognitoUserPool');
// WordArray (the library's only random source) calls this module's export on every draw, so
// replacing the export makes every draw come from `planned` below.
const randomModule = require('amazon-cognito-identity-js/lib/utils/cryptoSecureRandomInt.js');

const CASES = [
  {
    // A salt whose top bit is set: padHex adds a 00 byte, so Salt decodes to 17 bytes.
    poolId: 'us-east-1_Abc123XyZ',
    username: 'carol',
    deviceGroupKey: '-wt2ha1Zd',
    deviceKey: 'us-east-1_3f6b2c1e-8d4a-4b7e-9c2f-0a1b2c3d4e5f',
    salt: 'c3a1f0e2d4b6987a5c3e1f0d2b4a6987',
    seed: 31,
    b: 41,
    secretBlock: Buffer.from('device secret block \u0000\u00ff', 'latin1'),
    now: '2026-11-03T09:05:01Z', // a one-digit day: TIMESTAMP says "Nov 3", not "Nov 03"
  },
  {
    // A salt starting with a zero byte and a zero nibble: the library's BigInteger drops
    // them and padHex adds back one 0 digit, so Salt decodes to 15 bytes.
    poolId: 'eu-west-1_k3Y9wQ2pL',
    username: '0e1c0e2a-9b3d-4c5e-8f70-123456789abc',
    deviceGroupKey: '-3QHBtfAq',
    deviceKey: 'eu-west-1_9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    salt: '000a1b2c3d4e5f60718293a4b5c6d7e8',
    seed: 32,
    b: 42,
    secretBlock: Buffer.from('AQIDBAUGBwgJCgsMDQ4PEA==', 'base64'),
    now: '2026-02-28T23:59:59Z',
  },
  {
    // A salt with neither: Salt decodes to the 16 random bytes as drawn.
    poolId: 'ap-south-1_AAAAAAAAA',
    username: 'dave@example.com',
    deviceGroupKey: '-Zz09_aBc',
    deviceKey: 'ap-south-1_00000000-0000-4000-8000-000000000000',
    salt: '3f5e7d9cbbaa99887766554433221100',
    seed: 33,
    b: 43,
    secretBlock: createHash('sha512').update('block 33').digest(),
    now: '2027-01-10T00:00:00Z',
  },
];

const digest = (algorithm, text) => createHash(algorithm).update(text).digest();
const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

// The bytes the library will draw, in the order it draws them, as 32-bit big-endian words
// (WordArray turns each word back into 4 bytes high byte first).
let planned = [];
function plan(...chunks) {
  const bytes = Buffer.concat(chunks);
  planned = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readUInt32BE(4 * i));
}
randomModule.default = () => {
  if (!planned.length) throw new Error('the library drew more random bytes than planned');
  return planned.shift();
};
const planUsedUp = () => {
  if (planned.length) throw new Error(`${planned.length} planned random words were not drawn`);
};

// new Date() with no argument is the only clock the library reads (DateHelper, session drift).
const RealDate = Date;
function freezeClock(iso) {
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      super(...(args.length ? args : [iso]));
    }
    static now() {
      return new RealDate(iso).getTime();
    }
  };
}

function fakeJwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.sig`;
}

// Plays Cognito's side: records each request and answers it from `answers[operation]`.
function scriptedClient(answers) {
  const sent = [];
  return {
    sent,
    request(operation, params, callback) {
      sent.push({ operation, params });
      const answer = answers[operation + (params.ChallengeName ? `:${params.ChallengeName}` : '')];
      if (!answer) return callback(new Error(`unexpected ${operation}`), null);
      return callback(null, answer(params));
    },
  };
}

const memoryStorage = () => {
  const items = new Map();
  return {
    setItem: (k, v) => items.set(k, String(v)),
    getItem: (k) => items.get(k) ?? null,
    removeItem: (k) => items.delete(k),
    clear: () => items.clear(),
  };
};

function outcome() {
  let settle;
  const done = new Promise((resolve, reject) => {
    settle = { onSuccess: resolve, onFailure: reject };
  });
  return { callback: settle, done };
}

// N, g and k for computing B; its constructor draws an a, which is never used.
plan(Buffer.alloc(128, 1));
const maths = new AuthenticationHelper('unused');
planUsedUp();

// The HKDF key never leaves getDeviceResponse; this wrapper only records it.
let lastKey = null;
const realKey = AuthenticationHelper.prototype.getPasswordAuthenticationKey;
AuthenticationHelper.prototype.getPasswordAuthenticationKey = function (...args) {
  const callback = args.pop();
  return realKey.call(this, ...args, (err, key) => {
    lastKey = key;
    callback(err, key);
  });
};

// One DEVICE_SRP_AUTH answer by `user` (remembered device), with a client secret drawn from
// `smallA`, against a server holding `b` and the verifier sent at ConfirmDevice.
async function deviceAnswer(user, smallA, b, verifier, challengeSalt, secretBlock) {
  const gb = await call((cb) => maths.g.modPow(b, maths.N, cb));
  const big_b = maths.k.multiply(verifier).add(gb).mod(maths.N);
  user.client = scriptedClient({
    'RespondToAuthChallenge:DEVICE_SRP_AUTH': () => ({
      ChallengeName: 'DEVICE_PASSWORD_VERIFIER',
      Session: 'session-2',
      ChallengeParameters: {
        SRP_B: big_b.toString(16),
        SALT: challengeSalt,
        SECRET_BLOCK: secretBlock.toString('base64'),
      },
    }),
    'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER': () => ({ AuthenticationResult: tokens() }),
  });
  plan(smallA); // getDeviceResponse's `new AuthenticationHelper(deviceGroupKey)` draws a
  const { callback, done } = outcome();
  // The helper argument goes unused on this path: getDeviceResponse builds its own.
  user.authenticateUserInternal({ ChallengeName: 'DEVICE_SRP_AUTH', Session: 'session-1' }, maths, callback);
  await done;
  planUsedUp();
  const [srpAuth, verifierAnswer] = user.client.sent.map((request) => request.params.ChallengeResponses);
  return { B: big_b, A: srpAuth.SRP_A, key: lastKey, answer: verifierAnswer };
}

let tokenSerial = 0;
function tokens(extra = {}) {
  tokenSerial += 1;
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub: 'sub', iat, exp: iat + 3600, jti: `jti-${tokenSerial}` };
  return { IdToken: fakeJwt(claims), AccessToken: fakeJwt(claims), RefreshToken: 'refresh', ...extra };
}

async function vector(c) {
  freezeClock(c.now);
  const pool = new CognitoUserPool({ UserPoolId: c.poolId, ClientId: 'client1234', Storage: memoryStorage() });
  const user = new CognitoUser({ Username: c.username, Pool: pool, Storage: memoryStorage() });
  const seed = (label) => digest('sha512', `${label}${c.seed}`);
  const devicePasswordBytes = seed('password').subarray(0, 40);

  // 1. The sign-in result that names a new device; identity-js confirms it at once.
  user.client = scriptedClient({ ConfirmDevice: () => ({ UserConfirmationNecessary: false }) });
  // Draws: the user-SRP helper's a (128 bytes, unused here), then generateHashDevice's
  // password (40 bytes) and salt (16 bytes).
  plan(Buffer.concat([seed('unused'), seed('unused!')]), devicePasswordBytes, Buffer.from(c.salt, 'hex'));
  const srpHelper = new AuthenticationHelper(c.poolId.split('_')[1]);
  const newDevice = { DeviceKey: c.deviceKey, DeviceGroupKey: c.deviceGroupKey };
  const signedIn = outcome();
  user.authenticateUserInternal({ AuthenticationResult: tokens({ NewDeviceMetadata: newDevice }) }, srpHelper, signedIn.callback);
  await signedIn.done;
  planUsedUp();
  const [confirm] = user.client.sent;
  const config = confirm.params.DeviceSecretVerifierConfig;
  const password = srpHelper.getRandomPassword();
  if (password !== devicePasswordBytes.toString('base64')) throw new Error('draw order changed: password');

  // 2. The next sign-in from that device. The server keeps Salt and PasswordVerifier as sent
  // and sends the salt back as the hex of the decoded bytes.
  const challengeSalt = Buffer.from(config.Salt, 'base64').toString('hex');
  const storedVerifier = new BigInteger(Buffer.from(config.PasswordVerifier, 'base64').toString('hex'), 16);
  const b = new BigInteger(digest('sha256', `b${c.b}`).toString('hex'), 16);
  const smallA = Buffer.concat([seed('a'), seed('a!')]);
  const right = await deviceAnswer(user, smallA, b, storedVerifier, challengeSalt, c.secretBlock);

  // 3. The same answer from a client holding another password (same a, b and clock), so the
  // test has a signature the server must not accept.
  const wrongPassword = `${password.slice(0, -2)}x=`;
  user.randomPassword = wrongPassword;
  const wrong = await deviceAnswer(user, smallA, b, storedVerifier, challengeSalt, c.secretBlock);
  if (wrong.A !== right.A || wrong.answer.TIMESTAMP !== right.answer.TIMESTAMP) throw new Error('not a like-for-like retry');

  return {
    pool_id: c.poolId,
    username: c.username,
    device_group_key: c.deviceGroupKey,
    device_key: c.deviceKey,
    device_password: password,
    salt: srpHelper.getSaltDevices(),
    verifier: srpHelper.getVerifierDevices(),
    device_secret_verifier_config: config,
    challenge_salt: challengeSalt,
    b: b.toString(16),
    A: right.A,
    B: right.B.toString(16),
    key: Buffer.from(right.key).toString('hex'),
    secret_block: right.answer.PASSWORD_CLAIM_SECRET_BLOCK,
    timestamp: right.answer.TIMESTAMP,
    signature: right.answer.PASSWORD_CLAIM_SIGNATURE,
    wrong_password: wrongPassword,
    wrong_password_signature: wrong.answer.PASSWORD_CLAIM_SIGNATURE,
  };
}

const vectors = [];
for (const c of CASES) vectors.push(await vector(c)); // one at a time: the plan and clock are global
globalThis.Date = RealDate;
const out = new URL('../data/device_srp_vectors.json', import.meta.url);
writeFileSync(out, JSON.stringify(vectors, null, 1) + '\n');
console.log(`wrote ${out.pathname}`);
