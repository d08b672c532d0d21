// Which certificate authorities the plugin's HTTPS connections trust: Node's defaults (its
// bundled roots, plus NODE_EXTRA_CA_CERTS, plus the system store with --use-system-ca), PLUS
// the PEM certificates of AWS_CA_BUNDLE (a file path, as the AWS SDKs and CLI read it), PLUS
// `component.ca` (PEM text or a path to a PEM file). They add to the defaults, never replace
// them: a private CA for one endpoint must not break the public ones.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { invalidConfig } from '../config.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The `ca` list for the https agent, or undefined when nothing is added to Node's defaults
 * (then Node uses them as they are, NODE_EXTRA_CA_CERTS and --use-system-ca included).
 * @param {string | undefined} caOption `component.ca`
 * @param {Record<string, string | undefined>} env
 */
export function trustedCertificates(caOption, env) {
  const added = [];
  if (env.AWS_CA_BUNDLE) added.push(...certificatesOf(readPem(env.AWS_CA_BUNDLE, 'AWS_CA_BUNDLE'), 'AWS_CA_BUNDLE'));
  if (caOption !== undefined) {
    const text = caOption.includes('-----BEGIN') ? caOption : readPem(caOption, 'component.ca');
    added.push(...certificatesOf(text, 'component.ca'));
  }
  if (added.length === 0) return undefined;
  // Passing `ca` replaces Node's trust store, NODE_EXTRA_CA_CERTS included, so the defaults
  // are listed first.
  return [...defaultCertificates(env), ...added];
}

// Node 22.15+ and 23.5+ name the certificates they trust by default (bundled roots,
// NODE_EXTRA_CA_CERTS, and the system store when enabled); Node 20 only lists its bundled
// roots, so the extra file is read here as Node reads it.
function defaultCertificates(env) {
  if (typeof tls.getCACertificates === 'function') return tls.getCACertificates('default');
  const extra = env.NODE_EXTRA_CA_CERTS ? readExtra(env.NODE_EXTRA_CA_CERTS) : [];
  return [...tls.rootCertificates, ...extra];
}

// Node itself only warns when NODE_EXTRA_CA_CERTS cannot be read, so this does too (by leaving
// the file out), rather than failing an app that worked before.
function readExtra(path) {
  try {
    return readFileSync(path, 'utf8').match(PEM_CERTIFICATE) ?? [];
  } catch {
    return [];
  }
}

function readPem(path, name) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw invalidConfig(`${name} names a CA bundle file that cannot be read (${error?.code ?? error?.name ?? 'error'}): ${path}`);
  }
}

// Each certificate is parsed now, so a broken bundle is an error that names where it came
// from (never its contents), not a TLS failure on the first request.
function certificatesOf(text, name) {
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) throw invalidConfig(`${name} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  certificates.forEach((pem, index) => {
    try {
      new X509Certificate(pem); // eslint-disable-line no-new
    } catch {
      throw invalidConfig(`${name}: certificate ${index + 1} of ${certificates.length} is not a valid PEM certificate`);
    }
  });
  return certificates;
}
