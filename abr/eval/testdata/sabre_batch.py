"""Run Sabre's simulator (sabre.py) on many traces in one process.

Usage: python3 sabre_batch.py SABRE_PY VIDEO_JSON ALGOS TRACE_JSON...
Prints one JSON object per line: {"trace", "algo", metrics...}, with the
metrics Sabre prints, named in snake case.
"""
import contextlib
import io
import json
import runpy
import sys

KEYS = {
    "time average played bitrate": "time_average_played_bitrate",
    "total rebuffer": "total_rebuffer",
    "rebuffer ratio": "rebuffer_ratio",
    "time average bitrate change": "time_average_bitrate_change",
    "time average score": "time_average_score",
}


def main():
    sabre, video, algos, traces = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4:]
    for tr in traces:
        for algo in algos:
            sys.argv = ["sabre.py", "-n", tr, "-m", video, "-a", algo]
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                runpy.run_path(sabre, run_name="__main__")
            rec = {"trace": tr, "algo": algo}
            for line in buf.getvalue().splitlines():
                name, sep, value = line.partition(":")
                if sep and name.strip() in KEYS:
                    rec[KEYS[name.strip()]] = float(value)
            print(json.dumps(rec), flush=True)


main()
