// Which proxy, if any, a request of the plugin goes through, as boto3 and the AWS CLI decide:
//   - `component.proxy`: a proxy URL used for every endpoint, or `false` for none (the
//     variables below are then ignored);
//   - otherwise HTTPS_PROXY / https_proxy for https:// endpoints, HTTP_PROXY / http_proxy for
//     http:// ones (lower case wins when both are set), unless NO_PROXY / no_proxy lists the
//     endpoint's host: comma-separated host names (`example.com` and `.example.com` both
//     match the name and its subdomains), IP addresses, each optionally with `:port`; `*`
//     means no proxy at all.
// Only http:// proxies are understood (an https:// endpoint is reached through a CONNECT
// tunnel, with TLS to the endpoint inside it); user and password in the URL are sent as
// `Proxy-Authorization: Basic`, and never shown: errors name the proxy by its origin.
import { invalidConfig } from '../config.js';

/**
 * A proxy URL checked and split: `{ host, port, origin, authorization? }`, or throws
 * invalid-config naming `name` (the option or variable), never the URL's credentials.
 */
export function parseProxyUrl(text, name) {
  let url;
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`);
  } catch {
    throw invalidConfig(`${name} is not a proxy URL such as http://proxy.example.com:3128`);
  }
  if (url.protocol !== 'http:') {
    throw invalidConfig(`${name} must be an http:// proxy URL, not ${url.protocol.replace(/:$/, '')}:// (the endpoint is reached through it, with TLS inside a CONNECT tunnel for https)`);
  }
  const proxy = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), origin: `http://${url.host}` };
  if (url.username || url.password) {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    proxy.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  return proxy;
}

/** Refuses a `component.proxy` URL that is not an http:// proxy URL (checked at construction). */
export function checkProxyOption(option) {
  if (typeof option === 'string') parseProxyUrl(option, 'component.proxy');
}

/**
 * The proxy of each endpoint URL, decided once per origin.
 * @param {string | false | undefined} option `component.proxy`
 * @param {Record<string, string | undefined>} env
 * @returns {(url: URL) => ReturnType<typeof parseProxyUrl> | undefined}
 */
export function proxyResolver(option, env) {
  if (option === false) return () => undefined;
  if (typeof option === 'string') {
    const proxy = parseProxyUrl(option, 'component.proxy');
    return () => proxy;
  }
  // Checked now, so a broken variable fails when the plugin starts, not on the first request.
  const https = fromEnv(env, 'https_proxy');
  const http = fromEnv(env, 'http_proxy');
  const bypass = noProxyRules(variable(env, 'no_proxy')?.value);
  if (!https && !http) return () => undefined;
  return (url) => {
    const proxy = url.protocol === 'https:' ? https : http;
    if (!proxy || bypass(url)) return undefined;
    return proxy;
  };
}

function fromEnv(env, lowerName) {
  const found = variable(env, lowerName);
  return found ? parseProxyUrl(found.value, found.name) : undefined;
}

// Lower case first, as curl, requests and botocore read them; an empty value is unset.
function variable(env, lowerName) {
  for (const name of [lowerName, lowerName.toUpperCase()]) {
    if (env[name]) return { name, value: env[name].trim() };
  }
  return undefined;
}

/** Whether NO_PROXY exempts an endpoint URL. */
function noProxyRules(text) {
  const rules = (text ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean)
    .map(rule);
  if (rules.some((entry) => entry.any)) return () => true;
  return (url) => {
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return rules.some((entry) => (entry.port === undefined || entry.port === port) && (host === entry.host || host.endsWith(`.${entry.host}`)));
  };
}

// `host`, `.host`, `*.host`, `host:port`, `1.2.3.4`, `[::1]:8000`, `::1`, or `*`.
function rule(entry) {
  if (entry === '*') return { any: true };
  let host = entry;
  let port;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) [, host, port] = bracketed;
  else if ((entry.match(/:/g) ?? []).length === 1) [host, port] = entry.split(':');
  return { host: host.replace(/^\*?\./, ''), port };
}
