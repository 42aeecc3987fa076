"""Court papers through the running server: a large upload and download, with the server process's peak
memory and the throughput as a ratio to a plain copy of the same file on the same disk.

    .venv/bin/python bench/papers_upload.py --size-mb 1024 --size-mb 100

It starts `portal serve` on the embedded default (SQLite, local blobs) in a temporary folder, loads the demo,
makes an API token for the demo's LA solicitor, then for each size: uploads a PDF of that size through
``POST /cases/{id}/papers/uploads`` (streamed from disk), files it, and downloads it again (streamed to
disk), checking the SHA-256. Memory is the server's VmHWM (peak resident set) from /proc, before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / ".venv" / "bin" / "portal"
SOLICITOR = "james.whitfield@riverside.example.gov.uk"
CHUNK = 1024 * 1024


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def make_file(path: Path, size_mb: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(CHUNK)
    with path.open("wb") as out:
        head = b"%PDF-1.7\n"
        out.write(head)
        digest.update(head)
        for n in range(size_mb):
            chunk = n.to_bytes(8, "big") + block[8:]
            out.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def read_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size-mb", type=int, action="append", help="file sizes to try (default 100 and 1024)"
    )
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    sizes = args.size_mb or [100, 1024]
    work = Path(
        tempfile.mkdtemp(prefix="portal-bench-", dir=ROOT / "var" if (ROOT / "var").exists() else None)
    )
    env = {
        **os.environ,
        "PORTAL_VAR_DIR": str(work / "var"),
        "PORTAL_UPLOAD_MAX_BYTES": str((max(sizes) + 16) * CHUNK),
        "PORTAL_OUTBOX_IN_APP": "false",
        "PORTAL_CLOCK_IN_APP": "false",
    }
    run = lambda *a: subprocess.run([str(PORTAL), *a], env=env, check=True, capture_output=True, text=True)  # noqa: E731
    run("migrate")
    run("demo")
    token = run(
        "token",
        "create",
        "--email",
        SOLICITOR,
        "--label",
        "benchmark",
        "--scope",
        "paper:file",
        "--scope",
        "case:read",
    ).stdout
    secret = next(word for word in token.split() if len(word) > 30)
    database = sqlite3.connect(work / "var" / "portal.db")
    case_id = database.execute(
        "SELECT m.proceedings_id FROM case_membership m JOIN person p ON p.id = m.person_id "
        "WHERE p.email = ? AND m.ended_at IS NULL LIMIT 1",
        (SOLICITOR,),
    ).fetchone()[0]
    case_id = str(uuid.UUID(hex=case_id))
    server = subprocess.Popen(
        [str(PORTAL), "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{args.port}"
    headers = {"Authorization": f"Bearer {secret}"}
    results = []
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            for _ in range(100):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            baseline = 0.0
            # First a 1 MB warm-up (imports, first queries), not reported; the baseline is taken after it.
            for size in [1, *sizes]:
                source = work / f"paper-{size}.pdf"
                expected = make_file(source, size)
                copy = work / "copy.pdf"
                started = time.perf_counter()
                shutil.copyfile(source, copy)
                with copy.open("rb+") as copied:  # as durable as the store makes a blob
                    os.fsync(copied.fileno())
                copy_seconds = time.perf_counter() - started
                copy.unlink()
                started = time.perf_counter()
                response = client.post(
                    f"/cases/{case_id}/papers/uploads",
                    content=read_chunks(source),
                    headers={
                        **headers,
                        "X-Filename": source.name,
                        "Content-Length": str(source.stat().st_size),
                    },
                )
                upload_seconds = time.perf_counter() - started
                response.raise_for_status()
                body = response.json()
                assert body["sha256"] == expected, "the server's hash differs"
                filed = client.post(
                    "/graphql",
                    headers=headers,
                    json={
                        "query": "mutation($input: FileCourtPaperInput!) { fileCourtPaper(input: $input) "
                        "{ version { downloadUrl } errors { code message } } }",
                        "variables": {
                            "input": {
                                "uploadId": body["uploadId"],
                                "filedOn": time.strftime("%Y-%m-%d"),
                                "kind": "EXPERT_OTHER",
                                "title": f"Benchmark {size} MB",
                                "filedByParty": "EXPERT",
                                "confidentiality": "STANDARD",
                                "lawfulBasis": "FPR_12_73_IRO",
                            }
                        },
                    },
                ).json()["data"]["fileCourtPaper"]
                assert filed["errors"] == [], filed
                digest = hashlib.sha256()
                started = time.perf_counter()
                with client.stream("GET", filed["version"]["downloadUrl"], headers=headers) as download:
                    download.raise_for_status()
                    with (work / "downloaded.pdf").open("wb") as out:
                        for chunk in download.iter_bytes(CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
                download_seconds = time.perf_counter() - started
                (work / "downloaded.pdf").unlink()
                assert digest.hexdigest() == expected, "the download differs"
                source.unlink()
                if not baseline:
                    baseline = peak_rss_mb(server.pid)
                    continue
                results.append(
                    {
                        "size_mb": size,
                        "server_peak_rss_mb": round(peak_rss_mb(server.pid), 1),
                        "server_peak_added_mb": round(peak_rss_mb(server.pid) - baseline, 1),
                        "copy_mb_per_s": round(size / copy_seconds, 1),
                        "upload_mb_per_s": round(size / upload_seconds, 1),
                        "download_mb_per_s": round(size / download_seconds, 1),
                        "upload_ratio_to_copy": round(copy_seconds / upload_seconds, 3),
                        "download_ratio_to_copy": round(copy_seconds / download_seconds, 3),
                    }
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"baseline_peak_rss_mb": round(baseline, 1), "runs": results}, indent=2))
    for line in results:
        print(
            f"{line['size_mb']:>5} MB: server peak +{line['server_peak_added_mb']} MB "
            f"over {baseline:.0f} MB; "
            f"upload {line['upload_mb_per_s']} MB/s ({line['upload_ratio_to_copy']}x a plain copy), "
            f"download {line['download_mb_per_s']} MB/s ({line['download_ratio_to_copy']}x)",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
