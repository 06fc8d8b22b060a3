import { generateSyntheticBars } from '../src/data/index.js';
import { runEngine } from '../src/engine/run-engine.js';
import { computeMetrics } from '../src/metrics/index.js';
import { getStrategy, resolveParams } from '../src/strategies/index.js';
import { resolveConfig } from '../src/core/config.js';
const N=1_000_000;
const bars = generateSyntheticBars({ count: N, seed: 42, symbol: 'SYN', timeframe: '1Min' });
const d = getStrategy('sma-cross'); const params = resolveParams(d, { fast: 10, slow: 30 });
const config = resolveConfig({ strategy: { name: d.name, params } });
const cpu=(f:()=>void)=>{const s=process.cpuUsage(); f(); const e=process.cpuUsage(s); return (e.user+e.system)/1000;};
const noop={onBar:()=>undefined};
for (let r=0;r<8;r++){
  let out:any;
  const te=cpu(()=>{out=runEngine(bars,d.create(params),config)});
  const tn=cpu(()=>{runEngine(bars,noop,config)});
  const tm=cpu(()=>computeMetrics({timeMs:bars.timeMs,equity:out.equity,trades:out.trades,initialCash:1e4,barsInMarket:out.barsInMarket,firstClose:1,lastClose:1,riskFreeRate:0}));
  const ta=cpu(()=>{for(let k=0;k<6;k++) new Float64Array(N).fill(NaN)});
  console.log(`cpu ms: engine+sma ${te.toFixed(1)} engine-noop ${tn.toFixed(1)} metrics ${tm.toFixed(1)} alloc6 ${ta.toFixed(1)}`);
}
