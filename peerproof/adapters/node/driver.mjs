// peerproof's driver for the TypeScript GossipSub PeerScore (@libp2p/gossipsub, pinned in package-lock.json).
//
// It speaks the peerproof adapter protocol (spec/peerproof.md section 8, PP-ADAPTER, version
// "peerproof-adapter/1"): one JSON request per stdin line, one reply per stdout line, `{"ok":true,...}` or
// `{"ok":false,"code":"unsupported"|"bad-request"|"failed","error":"..."}`. Time is mocked (Date.now returns
// the driver's clock) and the driver runs `background()` (refreshScores + delivery-record gc) itself at every
// k * decayInterval (k >= 1) up to each event's time, with the clock at the refresh time: the schedule of the
// reference model (GS-DECAY-1). start() is never called, so no real timer runs.
//
// The adapter protocol (what `peerproof conformance --adapter "node driver.mjs"` sends):
//   {"op":"hello","version":"peerproof-adapter/1"} -> protocol, dialect "ts", implementation, capabilities
//   {"op":"reset","config":{...canonical peerproof gossipsub config...},"seed":0}
//   {"op":"apply","event":{...trace event, "at" in seconds...}}  or  {"op":"apply","events":[...]} (batch)
//   {"op":"observe"}                                                  -> {"observation":{"time":s,"peers":{...}}}
//   {"op":"bye"}
// Extensions peerproof's own TsPeerScoreAdapter uses (batching and file replay, for speed):
//   {"op":"version"}
//   {"op":"params","config":{...canonical config...}}                 -> {"params":{...TS PeerScoreParams...}}
//   {"op":"event","event":{...}}
//   {"op":"events","events":[...],"observe":"each"|"last"|"none"|[indices]} -> {"observations":[...]}
//   {"op":"replay_file","path":"trace.json|events.jsonl","observe":false} -> {"events":n,"elapsed_ms":x}
//
// The harness directory (where `npm ci` installed node_modules) comes from PEERPROOF_NODE_HARNESS; without
// it the package is resolved next to this file.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { pathToFileURL } from 'node:url'

const PACKAGE = '@libp2p/gossipsub'

async function loadScoreModule () {
  const harness = process.env.PEERPROOF_NODE_HARNESS
  if (!harness) {
    return { module: await import(`${PACKAGE}/score`), version: null }
  }
  // ESM ignores NODE_PATH: resolve the package's "./score" export by hand from the harness directory.
  const pkgDir = path.join(harness, 'node_modules', ...PACKAGE.split('/'))
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
  const entry = pkg.exports['./score'].import
  return { module: await import(pathToFileURL(path.join(pkgDir, entry)).href), version: pkg.version }
}

const { module: score, version: packageVersion } = await loadScoreModule()
const { PeerScore } = score

// ---- mocked time ------------------------------------------------------------------------------------------

let clockMs = 0
Date.now = () => clockMs

// ---- the PeerScore under test -----------------------------------------------------------------------------

const silentLog = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false })
const componentLogger = { forComponent: () => silentLog }

let ps = null // the PeerScore
let params = null // its params (appSpecificScore reads appScores)
let appScores = new Map()
let decayIntervalMs = 0
let nextRefreshMs = 0

function reset (cmd) {
  if (cmd.config == null || typeof cmd.config !== 'object') throw requestError('reset: "config" must be an object')
  const p = paramsFromConfig(cmd.config)
  appScores = new Map()
  params = {
    ...p,
    topics: { ...p.topics },
    IPColocationFactorWhitelist: new Set(p.IPColocationFactorWhitelist ?? []),
    appSpecificScore: (peer) => appScores.get(peer) ?? 0
  }
  clockMs = 0
  ps = new PeerScore(params, null, componentLogger, { scoreCacheValidityMs: 0 })
  decayIntervalMs = params.decayInterval
  if (!(decayIntervalMs > 0)) throw new Error('reset: decay_interval_ms must be > 0')
  nextRefreshMs = decayIntervalMs
  return {}
}

/** An error reply with a code (PP-ADAPTER-4): "unsupported" or "bad-request"; plain errors are "failed". */
function codedError (code, message) {
  return Object.assign(new Error(message), { code })
}
const requestError = (message) => codedError('bad-request', message)
const unsupported = (message) => codedError('unsupported', message)

function requirePeerScore () {
  if (ps == null) throw requestError('no PeerScore yet: send {"op":"reset",...} first')
}

// ---- the canonical peerproof config as TS PeerScoreParams ---------------------------------------------------

const DURATION_UNITS = { h: 3600000, m: 60000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 }

/** A canonical duration ("12s", "1m", "500ms") in whole milliseconds. */
function durationMs (text, field) {
  if (typeof text === 'number') return text
  const parts = typeof text === 'string' ? [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)] : []
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== text) throw requestError(`${field}: not a duration: ${JSON.stringify(text)}`)
  return Math.round(parts.reduce((sum, m) => sum + Number(m[1]) * DURATION_UNITS[m[2]], 0))
}

const TOPIC_FIELDS = ['topic_weight', 'time_in_mesh_weight', 'time_in_mesh_quantum', 'time_in_mesh_cap',
  'first_message_deliveries_weight', 'first_message_deliveries_decay', 'first_message_deliveries_cap',
  'mesh_message_deliveries_weight', 'mesh_message_deliveries_decay', 'mesh_message_deliveries_cap',
  'mesh_message_deliveries_threshold', 'mesh_message_deliveries_window', 'mesh_message_deliveries_activation',
  'mesh_failure_penalty_weight', 'mesh_failure_penalty_decay', 'invalid_message_deliveries_weight',
  'invalid_message_deliveries_decay']
const TOPIC_DURATIONS = new Set(['time_in_mesh_quantum', 'mesh_message_deliveries_window', 'mesh_message_deliveries_activation'])
const camel = (name) => name.replace(/_([a-z])/g, (_m, c) => c.toUpperCase())

/** TS whitelists exact IP strings (a Set<string>): a CIDR range wider than one address cannot be said. */
function exactIP (entry) {
  const [ip, prefix] = String(entry).split('/')
  if (prefix !== undefined && Number(prefix) !== (ip.includes(':') ? 128 : 32)) {
    throw unsupported(`score_params.ip_colocation_factor_whitelist: ${entry} is a range; the TypeScript PeerScore whitelists exact IP strings only`)
  }
  return ip
}

/** The TS PeerScoreParams for a canonical config: the one copy of this mapping (ts_gossipsub.py asks for it). */
function paramsFromConfig (config) {
  const s = config.score_params
  if (s == null || typeof s !== 'object') throw requestError('reset: config.score_params must be an object')
  const topics = {}
  for (const [name, tp] of Object.entries(s.topics ?? {})) {
    const t = {}
    for (const f of TOPIC_FIELDS) t[camel(f)] = TOPIC_DURATIONS.has(f) ? durationMs(tp[f], `score_params.topics.${name}.${f}`) : tp[f]
    topics[name] = t
  }
  return {
    topics,
    topicScoreCap: s.topic_score_cap,
    appSpecificWeight: s.app_specific_weight,
    IPColocationFactorWeight: s.ip_colocation_factor_weight,
    IPColocationFactorThreshold: s.ip_colocation_factor_threshold,
    IPColocationFactorWhitelist: (s.ip_colocation_factor_whitelist ?? []).map(exactIP),
    behaviourPenaltyWeight: s.behaviour_penalty_weight,
    behaviourPenaltyThreshold: s.behaviour_penalty_threshold,
    behaviourPenaltyDecay: s.behaviour_penalty_decay,
    decayInterval: durationMs(s.decay_interval, 'score_params.decay_interval'),
    decayToZero: s.decay_to_zero,
    retainScore: durationMs(s.retain_score, 'score_params.retain_score')
  }
}

/** GS-DECAY-1: run every refresh due at or before `toMs`, each at its own time, then set the clock. */
function advance (toMs) {
  if (toMs < clockMs) throw requestError(`event at ${toMs / 1000}s is earlier than the clock (${clockMs / 1000}s)`)
  while (nextRefreshMs <= toMs) {
    clockMs = nextRefreshMs
    ps.background()
    nextRefreshMs += decayIntervalMs
  }
  clockMs = toMs
}

function need (event, name) {
  const v = event[name]
  if (v === undefined || v === null) throw requestError(`${event.kind}: missing "${name}"`)
  return v
}

/** The PeerScore calls one trace event stands for (see peerproof/adapters/ts_gossipsub.py). */
function applyEvent (event) {
  requirePeerScore()
  const at = event.at
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw requestError(`bad "at": ${JSON.stringify(at)}`)
  advance(Math.round(at * 1000))
  const peer = event.peer
  const topic = event.topic
  const msg = event.msg
  switch (event.kind) {
    case 'add_peer': ps.addPeer(need(event, 'peer')); break
    case 'remove_peer': ps.removePeer(need(event, 'peer')); break
    case 'add_ip': ps.addIP(need(event, 'peer'), need(event, 'ip')); break
    case 'remove_ip': ps.removeIP(need(event, 'peer'), need(event, 'ip')); break
    case 'graft': ps.graft(need(event, 'peer'), need(event, 'topic')); break
    case 'prune': ps.prune(need(event, 'peer'), need(event, 'topic')); break
    case 'subscribe': case 'unsubscribe': case 'tick': break
    case 'receive': {
      // The first copy enters validation; remember its sender on the record for the later `validated`.
      const existed = ps.deliveryRecords.getRecord(need(event, 'msg')) !== undefined
      ps.validateMessage(msg)
      if (!existed) ps.deliveryRecords.getRecord(msg).__first = { peer: need(event, 'peer'), topic: need(event, 'topic') }
      break
    }
    case 'validated': {
      const rec = ps.deliveryRecords.getRecord(need(event, 'msg'))
      if (rec === undefined || rec.__first === undefined) break
      const first = rec.__first
      switch (need(event, 'outcome')) {
        case 'accept': ps.deliverMessage(first.peer, msg, first.topic); break
        case 'reject': ps.rejectMessage(first.peer, msg, first.topic, 'reject'); break
        case 'ignore': ps.rejectMessage(first.peer, msg, first.topic, 'ignore'); break
        default: throw new Error(`validated: unknown outcome ${JSON.stringify(event.outcome)}`)
      }
      break
    }
    case 'deliver':
      ps.validateMessage(need(event, 'msg'))
      ps.deliverMessage(need(event, 'peer'), msg, need(event, 'topic'))
      break
    case 'duplicate': ps.duplicateMessage(need(event, 'peer'), need(event, 'msg'), need(event, 'topic')); break
    case 'invalid':
      if (msg === undefined || msg === null) {
        ps.rejectInvalidMessage(need(event, 'peer'), need(event, 'topic'))
      } else {
        ps.validateMessage(msg)
        ps.rejectMessage(need(event, 'peer'), msg, need(event, 'topic'), 'reject')
      }
      break
    case 'ignored':
      ps.validateMessage(need(event, 'msg'))
      ps.rejectMessage(need(event, 'peer'), msg, need(event, 'topic'), 'ignore')
      break
    case 'app_score': appScores.set(need(event, 'peer'), need(event, 'value')); break
    case 'penalty': ps.addPenalty(need(event, 'peer'), event.count ?? 1, 'x'); break
    case 'heartbeat': throw unsupported('heartbeat is not supported by the score-only adapter (no router runs here)')
    default: throw requestError(`unknown event kind ${JSON.stringify(event.kind)}`)
  }
}

// ---- observables (same keys as peerproof.reference.gossipsub.observe.observe_peer) -------------------------

/** P1..P4 and the weighted contribution of one topic, term by term as compute-score.ts computes them. */
function observeTopic (tp, ts) {
  let p1 = 0
  let topicScore = 0
  if (ts.inMesh) {
    p1 = ts.meshTime / tp.timeInMeshQuantum
    if (p1 > tp.timeInMeshCap) p1 = tp.timeInMeshCap
    topicScore += p1 * tp.timeInMeshWeight
  }
  let p2 = ts.firstMessageDeliveries
  if (p2 > tp.firstMessageDeliveriesCap) p2 = tp.firstMessageDeliveriesCap
  topicScore += p2 * tp.firstMessageDeliveriesWeight
  let p3 = 0
  if (ts.meshMessageDeliveriesActive && ts.meshMessageDeliveries < tp.meshMessageDeliveriesThreshold) {
    const deficit = tp.meshMessageDeliveriesThreshold - ts.meshMessageDeliveries
    p3 = deficit * deficit
    topicScore += p3 * tp.meshMessageDeliveriesWeight
  }
  const p3b = ts.meshFailurePenalty
  topicScore += p3b * tp.meshFailurePenaltyWeight
  const p4 = ts.invalidMessageDeliveries * ts.invalidMessageDeliveries
  topicScore += p4 * tp.invalidMessageDeliveriesWeight
  return {
    in_mesh: ts.inMesh,
    mesh_time: ts.meshTime / 1000,
    active: ts.meshMessageDeliveriesActive,
    first_message_deliveries: ts.firstMessageDeliveries,
    mesh_message_deliveries: ts.meshMessageDeliveries,
    mesh_failure_penalty: ts.meshFailurePenalty,
    invalid_message_deliveries: ts.invalidMessageDeliveries,
    p1,
    p2,
    p3,
    p3b,
    p4,
    contribution: topicScore * tp.topicWeight
  }
}

function observePeer (id, pstats) {
  const topics = {}
  let topicTotal = 0
  for (const [topic, ts] of Object.entries(pstats.topics)) {
    const tp = params.topics[topic]
    if (tp === undefined) continue
    topics[topic] = observeTopic(tp, ts)
    topicTotal += topics[topic].contribution
  }
  let topicCapped = topicTotal
  if (params.topicScoreCap > 0 && topicCapped > params.topicScoreCap) topicCapped = params.topicScoreCap
  let p6 = 0
  for (const ip of pstats.knownIPs) {
    if (params.IPColocationFactorWhitelist.has(ip)) continue
    const n = ps.peerIPs.get(ip)?.size ?? 0
    if (n > params.IPColocationFactorThreshold) {
      const surplus = n - params.IPColocationFactorThreshold
      p6 += surplus * surplus
    }
  }
  let p7 = 0
  if (pstats.behaviourPenalty > params.behaviourPenaltyThreshold) {
    const excess = pstats.behaviourPenalty - params.behaviourPenaltyThreshold
    p7 = excess * excess
  }
  return {
    score: ps.score(id),
    connected: pstats.connected,
    topics,
    topic_total: topicTotal,
    topic_capped: topicCapped,
    behaviour_penalty: pstats.behaviourPenalty,
    p5: params.appSpecificScore(id),
    p6,
    p7
  }
}

function observe () {
  requirePeerScore()
  const peers = {}
  for (const id of [...ps.peerStats.keys()].sort()) peers[id] = observePeer(id, ps.peerStats.get(id))
  return { time: clockMs / 1000, peers }
}

// ---- batch and file replay ---------------------------------------------------------------------------------

function applyEvents (cmd) {
  const events = cmd.events
  if (!Array.isArray(events)) throw new Error('events: "events" must be a list')
  const mode = cmd.observe ?? 'each'
  const wanted = Array.isArray(mode) ? new Set(mode) : null
  const observations = []
  for (let i = 0; i < events.length; i++) {
    try {
      applyEvent(events[i])
    } catch (e) {
      e.message = `events[${i}] (${events[i]?.kind}): ${e.message}`
      throw e
    }
    if (mode === 'each' || (mode === 'last' && i === events.length - 1) || wanted?.has(i)) observations.push(observe())
  }
  return { observations }
}

/** A batched apply (PP-ADAPTER-3): every event in order; a refusal says which one (its index). */
function applyBatch (events) {
  for (let i = 0; i < events.length; i++) {
    try {
      applyEvent(events[i])
    } catch (e) {
      e.message = `events[${i}] (${events[i]?.kind}): ${e.message}`
      e.index = i
      throw e
    }
  }
}

function readEventsFile (file) {
  const text = readFileSync(file, 'utf8')
  if (file.endsWith('.jsonl')) return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line))
  const doc = JSON.parse(text)
  if (Array.isArray(doc)) return doc
  if (Array.isArray(doc.events)) return doc.events
  throw new Error(`${file}: expected a trace document with "events", a list of events, or a .jsonl file`)
}

function replayFile (cmd) {
  requirePeerScore()
  const events = readEventsFile(cmd.path)
  const start = performance.now()
  for (let i = 0; i < events.length; i++) applyEvent(events[i])
  const elapsedMs = performance.now() - start
  return { events: events.length, elapsed_ms: elapsedMs, ...(cmd.observe ? { observation: observe() } : {}) }
}

// ---- JSON lines loop ---------------------------------------------------------------------------------------

const PROTOCOL_VERSION = 'peerproof-adapter/1'
let finished = false // set by bye: the loop ends after its reply
const EVENT_KINDS = ['add_peer', 'remove_peer', 'add_ip', 'remove_ip', 'graft', 'prune', 'subscribe', 'unsubscribe',
  'tick', 'receive', 'validated', 'deliver', 'duplicate', 'invalid', 'ignored', 'app_score', 'penalty']

function hello (cmd) {
  if (cmd.version !== PROTOCOL_VERSION) throw requestError(`this adapter speaks ${PROTOCOL_VERSION}, not ${JSON.stringify(cmd.version)}`)
  return {
    version: PROTOCOL_VERSION,
    protocol: 'gossipsub',
    dialect: 'ts',
    implementation: { name: PACKAGE, version: packageVersion, node: process.version },
    capabilities: { events: EVENT_KINDS, observables: ['time', 'peers'], batch: true }
  }
}

const COMMANDS = {
  hello,
  apply: (cmd) => { Array.isArray(cmd.events) ? applyBatch(cmd.events) : applyEvent(cmd.event ?? {}); return {} },
  observe: () => ({ observation: observe() }),
  bye: () => { finished = true; return {} },
  version: () => ({ package: PACKAGE, version: packageVersion, node: process.version }),
  params: (cmd) => ({ params: paramsFromConfig(cmd.config ?? {}) }),
  reset,
  event: (cmd) => { applyEvent(cmd.event ?? {}); return {} },
  events: applyEvents,
  replay_file: replayFile
}

// JSON has no non-finite numbers: send them as the strings the Python side turns back into floats.
function encodeNumber (_key, value) {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value
}

function handle (line) {
  let cmd
  try {
    cmd = JSON.parse(line)
  } catch (e) {
    return { ok: false, code: 'bad-request', error: `not JSON: ${e.message}` }
  }
  const run = COMMANDS[cmd?.op]
  if (run === undefined) return { ok: false, code: 'bad-request', error: `unknown op ${JSON.stringify(cmd?.op)}; known: ${Object.keys(COMMANDS).join(', ')}` }
  try {
    return { ok: true, ...run(cmd) }
  } catch (e) {
    const code = e?.code === 'unsupported' || e?.code === 'bad-request' ? e.code : 'failed'
    return { ok: false, code, error: e?.message ?? String(e), ...(Number.isInteger(e?.index) ? { index: e.index } : {}) }
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (line.trim() === '') continue
  process.stdout.write(JSON.stringify(handle(line), encodeNumber) + '\n')
  if (finished) break
}
lines.close()
