"""Load tool of bench/scale.sh: latency percentiles of GET requests (one connection, the
session cookie kept as a browser keeps it), and webhook acceptances per second with concurrent
senders. Standard library only.

    python3 bench/scale_load.py get HOST:PORT PATH COUNT
    python3 bench/scale_load.py webhook HOST:PORT[,HOST:PORT…] TOKEN SENDERS COUNT [TAG]

With several addresses (replicas), sender n starts on address n mod their number, and a
delivery a replica did not answer (killed) is sent again to the next one, as a load balancer
would. Every delivery is a new response (TAG, e.g. a run number, keeps runs apart); the last
line counts the deliveries acknowledged (202 stored, or 200 "duplicate" for a retry of one a
killed replica stored before it answered).
"""

import http.client
import json
import sys
import threading
import time


def percentiles(samples):
    s = sorted(samples)

    def at(p):
        return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] * 1000

    return at(50), at(95), at(99)


def get(addr, path, count):
    conn = http.client.HTTPConnection(addr, timeout=60)
    times = []
    headers = {}
    for i in range(count + 2):
        t = time.perf_counter()
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            sys.exit(f"GET {path}: {r.status}")
        # Keeps the session cookie, as a browser does.
        cookie = r.getheader("Set-Cookie")
        if cookie:
            headers["Cookie"] = cookie.split(";", 1)[0]
        if i >= 2:  # the first two warm the caches
            times.append(time.perf_counter() - t)
    p50, p95, p99 = percentiles(times)
    print(f"{path:<34} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   p99 {p99:8.1f} ms")


def webhook(addrs, token, senders, count, tag=""):
    addrs = addrs.split(",")
    per = count // senders
    times, statuses = [], {}
    failovers = [0]
    lock = threading.Lock()

    def send(n):
        at = n % len(addrs)
        conn = http.client.HTTPConnection(addrs[at], timeout=60)
        mine = []
        for i in range(per):
            body = json.dumps({
                "A": f"2026-12-0{1 + i % 5}T{n % 24:02}:{i // 60 % 60:02}:{i % 60:02}Z",
                "B": f"https://gitlab.com/bench/app/-/issues/{(n * per + i) % 997}",
                "C": "It was not solved",
                "D": "",
                "E": f"bench {tag}{n}-{i}",
                "F": 1 + (i % 5),
                "G": f"sender{tag}{n}-{i}@example.com",
                "H": "EMEA",
            })
            t = time.perf_counter()
            for attempt in range(2 * len(addrs)):
                try:
                    conn.request("POST", "/hooks/feedback", body, {
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    })
                    r = conn.getresponse()
                    r.read()
                    break
                except (ConnectionError, http.client.HTTPException, OSError):
                    conn.close()
                    at = (at + 1) % len(addrs)
                    conn = http.client.HTTPConnection(addrs[at], timeout=60)
                    with lock:
                        failovers[0] += 1
            else:
                sys.exit(f"no replica answered delivery {n}-{i}")
            mine.append(time.perf_counter() - t)
            with lock:
                statuses[r.status] = statuses.get(r.status, 0) + 1
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(senders)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    p50, p95, p99 = percentiles(times)
    accepted = statuses.get(202, 0)
    where = f"{len(addrs)} replicas" if len(addrs) > 1 else "1 replica"
    print(f"webhook ({where}): {senders} senders, {len(times)} deliveries in {wall:.1f} s: "
          f"{accepted / wall:.0f} accepted/s (statuses {dict(sorted(statuses.items()))}, "
          f"{failovers[0]} sent again to another replica), "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")
    print(f"acknowledged: {statuses.get(202, 0) + statuses.get(200, 0)}")


if __name__ == "__main__":
    if sys.argv[1] == "get":
        get(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        webhook(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                sys.argv[6] if len(sys.argv) > 6 else "")
