// k6 counterpart of scenarios/live-2000.yaml: each virtual user is one
// viewer that fetches the same HLS objects a steady-state abrkit player
// fetches, at the same pace, from `abrkit serve --config bench/k6/topology.yaml`:
// the master playlist, the video and audio media playlists, both init
// segments, then one video and one audio segment per segment duration
// (4 s) for WATCH_S seconds. There is no ABR: every user plays the rendition
// the live viewers mostly pick (VIDEO, default v1200 = 960x540).
//
// URLS is the output of `abrkit serve urls --format json` (signed master
// URLs per title); users pick titles with Zipf(1) popularity like the
// scenario. Run it through bench/k6/run.sh, which starts the backend,
// writes URLS and measures peak memory:
//
//   k6 run -e URLS=out/urls.json -e VUS=2000 bench/k6/hls.js
import http from 'k6/http';
import { sleep } from 'k6';
import { SharedArray } from 'k6/data';

const titles = new SharedArray('titles', () =>
  JSON.parse(open(__ENV.URLS || 'urls.json')).titles.map((t) => t.hls));

const VUS = parseInt(__ENV.VUS || '2000', 10);
const RAMP = __ENV.RAMP || '60s';
const HOLD = __ENV.HOLD || '150s';
const WATCH_S = parseFloat(__ENV.WATCH_S || '150');
const SEG_S = parseFloat(__ENV.SEG_S || '4');
const VIDEO = __ENV.VIDEO || 'v1200';
const AUDIO = __ENV.AUDIO || 'a128';

export const options = {
  scenarios: {
    viewers: {
      executor: 'ramping-vus',
      startVUs: 0,
      // Users arrive evenly over RAMP and stay HOLD: all VUS play at once
      // from RAMP to RAMP+HOLD, as in the scenario (60 s + 150 s).
      stages: [
        { duration: RAMP, target: VUS },
        { duration: HOLD, target: VUS },
      ],
      gracefulRampDown: '0s',
      gracefulStop: '5s',
    },
  },
  // Segment bodies are counted and dropped, like the simulator's fetcher;
  // playlists ask for their text explicitly.
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
};

// zipfTitle picks a title index with Zipf(1) popularity, seeded by the VU.
function zipfTitle(vu, n) {
  let x = (vu * 2654435761) % 4294967296;
  x = (x ^ (x >>> 15)) >>> 0;
  const u = (x % 1000003) / 1000003;
  let sum = 0;
  for (let k = 1; k <= n; k++) sum += 1 / k;
  let acc = 0;
  for (let k = 1; k <= n; k++) {
    acc += 1 / k / sum;
    if (u < acc) return k - 1;
  }
  return n - 1;
}

function text(url) {
  const r = http.get(url, { responseType: 'text', tags: { kind: 'manifest' } });
  return r.status === 200 ? r.body : '';
}

// media returns the init URI and the segment URIs of a media playlist.
function media(body) {
  const segs = [];
  let init = '';
  for (const line of body.split('\n')) {
    const l = line.trim();
    if (l.startsWith('#EXT-X-MAP:')) {
      const m = l.match(/URI="([^"]+)"/);
      if (m) init = m[1];
    } else if (l !== '' && !l.startsWith('#')) {
      segs.push(l);
    }
  }
  return { init, segs };
}

export default function () {
  const master = titles[zipfTitle(__VU, titles.length)];
  const base = master.substring(0, master.lastIndexOf('/') + 1);
  text(master);
  const v = media(text(base + VIDEO + '/media.m3u8'));
  const a = media(text(base + AUDIO + '/media.m3u8'));
  if (v.init) http.get(base + VIDEO + '/' + v.init, { tags: { kind: 'init' } });
  if (a.init) http.get(base + AUDIO + '/' + a.init, { tags: { kind: 'init' } });
  const start = Date.now();
  for (let i = 0; i < v.segs.length && (Date.now() - start) / 1000 < WATCH_S; i++) {
    const t0 = Date.now();
    http.get(base + VIDEO + '/' + v.segs[i], { tags: { kind: 'segment' } });
    if (i < a.segs.length) http.get(base + AUDIO + '/' + a.segs[i], { tags: { kind: 'segment' } });
    const left = SEG_S - (Date.now() - t0) / 1000;
    if (left > 0) sleep(left);
  }
}
