// Times TypeScript PeerScore.refreshScores() (its per-peer decay loop) on P peers x T topics.
// Usage: PEERPROOF_NODE_HARNESS=DIR node ts_refresh.mjs PEERS TOPICS REPEATS (DIR holds the pinned node_modules)
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

// ESM ignores NODE_PATH: resolve the package's "./score" export from the harness directory.
const pkgDir = path.join(process.env.PEERPROOF_NODE_HARNESS, 'node_modules', '@libp2p', 'gossipsub')
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
const { PeerScore, createPeerScoreParams, createTopicScoreParams } =
  await import(pathToFileURL(path.join(pkgDir, pkg.exports['./score'].import)).href)

const [peers, topics, repeats] = process.argv.slice(2).map(Number)
const logger = { forComponent: () => Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) }
const topicParams = {}
for (let t = 0; t < topics; t++) {
  topicParams[`t${t}`] = createTopicScoreParams({
    topicWeight: 1, timeInMeshWeight: 0.1, timeInMeshQuantum: 1000, timeInMeshCap: 10,
    firstMessageDeliveriesWeight: 1, firstMessageDeliveriesDecay: 0.999, firstMessageDeliveriesCap: 1000,
    meshMessageDeliveriesWeight: -1, meshMessageDeliveriesDecay: 0.999, meshMessageDeliveriesCap: 1000,
    meshMessageDeliveriesThreshold: 5, meshMessageDeliveriesWindow: 10, meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: -1, meshFailurePenaltyDecay: 0.999,
    invalidMessageDeliveriesWeight: -10, invalidMessageDeliveriesDecay: 0.999
  })
}
const params = createPeerScoreParams({ topics: topicParams, decayInterval: 1000, decayToZero: 0.01, behaviourPenaltyDecay: 0.999 })
const ps = new PeerScore(params, null, logger, { scoreCacheValidityMs: 0 })
for (let p = 0; p < peers; p++) {
  const id = `p${p}`
  ps.addPeer(id)
  for (let t = 0; t < topics; t++) {
    ps.graft(id, `t${t}`)
    const ts = ps.peerStats.get(id).topics[`t${t}`]
    ts.firstMessageDeliveries = 500 + (p % 7)
    ts.meshMessageDeliveries = 300 + (t % 5)
    ts.meshFailurePenalty = 50
    ts.invalidMessageDeliveries = 20
  }
}
for (let i = 0; i < 3; i++) ps.refreshScores() // warm up the JIT
const t0 = process.hrtime.bigint()
for (let i = 0; i < repeats; i++) ps.refreshScores()
const ns = Number(process.hrtime.bigint() - t0)
console.log(JSON.stringify({ peers, topics, repeats, seconds_per_refresh: ns / 1e9 / repeats }))
