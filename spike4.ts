import { startEmbeddedServer } from './src/embedded/embedded-server.js';
const t = performance.now();
const s = await startEmbeddedServer({ onLog: (l) => { if (/ready|initdb|creating|syncing/i.test(l)) console.log(Math.round(performance.now()-t), l.slice(0,80)); } });
console.log('started', Math.round(performance.now() - t));
const t2 = performance.now(); await s.stop(); console.log('stopped', Math.round(performance.now() - t2));
