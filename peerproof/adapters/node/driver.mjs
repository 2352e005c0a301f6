// peerproof's driver for the TypeScript GossipSub PeerScore (@libp2p/gossipsub, pinned in package-lock.json).
//
// It speaks JSON lines: one command per stdin line, one reply per stdout line, `{"ok":true,...}` or
// `{"ok":false,"error":"..."}`. Time is mocked (Date.now returns the driver's clock) and the driver runs
// `background()` (refreshScores + delivery-record gc) itself at every k * decayInterval (k >= 1) up to each
// event's time, with the clock at the refresh time: the schedule of the reference model (GS-DECAY-1).
// start() is never called, so no real timer runs.
//
// Commands:
//   {"op":"version"}
//   {"op":"reset","params":{...TS PeerScoreParams, durations in ms...},"decay_interval_ms":N}
//   {"op":"event","event":{...trace event, "at" in seconds...}}
//   {"op":"events","events":[...],"observe":"each"|"last"|"none"|[indices]} -> {"observations":[...]}
//   {"op":"observe"}                                                  -> {"time":s,"peers":{...}}
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
  const p = cmd.params
  if (p == null || typeof p !== 'object') throw new Error('reset: "params" must be an object')
  appScores = new Map()
  params = {
    ...p,
    topics: { ...p.topics },
    IPColocationFactorWhitelist: new Set(p.IPColocationFactorWhitelist ?? []),
    appSpecificScore: (peer) => appScores.get(peer) ?? 0
  }
  clockMs = 0
  ps = new PeerScore(params, null, componentLogger, { scoreCacheValidityMs: 0 })
  decayIntervalMs = cmd.decay_interval_ms ?? params.decayInterval
  if (!(decayIntervalMs > 0)) throw new Error('reset: decay_interval_ms must be > 0')
  nextRefreshMs = decayIntervalMs
  return {}
}

function requirePeerScore () {
  if (ps == null) throw new Error('no PeerScore yet: send {"op":"reset",...} first')
}

/** GS-DECAY-1: run every refresh due at or before `toMs`, each at its own time, then set the clock. */
function advance (toMs) {
  if (toMs < clockMs) throw new Error(`event at ${toMs / 1000}s is earlier than the clock (${clockMs / 1000}s)`)
  while (nextRefreshMs <= toMs) {
    clockMs = nextRefreshMs
    ps.background()
    nextRefreshMs += decayIntervalMs
  }
  clockMs = toMs
}

function need (event, name) {
  const v = event[name]
  if (v === undefined || v === null) throw new Error(`${event.kind}: missing "${name}"`)
  return v
}

/** The PeerScore calls one trace event stands for (see peerproof/adapters/ts_gossipsub.py). */
function applyEvent (event) {
  requirePeerScore()
  const at = event.at
  if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw new Error(`bad "at": ${JSON.stringify(at)}`)
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
    case 'heartbeat': throw new Error('heartbeat is not supported by the score-only adapter (no router runs here)')
    default: throw new Error(`unknown event kind ${JSON.stringify(event.kind)}`)
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

const COMMANDS = {
  version: () => ({ package: PACKAGE, version: packageVersion, node: process.version }),
  reset,
  event: (cmd) => { applyEvent(cmd.event ?? {}); return {} },
  events: applyEvents,
  observe,
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
    return { ok: false, error: `not JSON: ${e.message}` }
  }
  const run = COMMANDS[cmd?.op]
  if (run === undefined) return { ok: false, error: `unknown op ${JSON.stringify(cmd?.op)}; known: ${Object.keys(COMMANDS).join(', ')}` }
  try {
    return { ok: true, ...run(cmd) }
  } catch (e) {
    return { ok: false, error: e?.message ?? String(e) }
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
for await (const line of lines) {
  if (line.trim() === '') continue
  process.stdout.write(JSON.stringify(handle(line), encodeNumber) + '\n')
}
