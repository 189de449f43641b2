"""The admin port (/metrics, /healthz) of every service stays available to the kubelet's
probes while a scraper such as Prometheus holds a keep-alive connection."""
import os
import socket

import requests


def admin_ports():
    for part in os.environ["SERVICE_ADMIN_PORTS"].strip(",").split(","):
        name, port = part.split("=")
        yield name, int(port)
    yield "bff", int(os.environ["BFF_ADMIN_URL"].rsplit(":", 1)[1])


def test_admin_port_answers_a_probe_while_a_scraper_keeps_its_connection_open():
    for name, port in admin_ports():
        scraper = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            scraper.sendall(b"GET /metrics HTTP/1.1\r\nHost: prometheus\r\nConnection: keep-alive\r\n\r\n")
            head = scraper.recv(4096)
            assert head.startswith(b"HTTP/1.1 200"), (name, head[:80])
            # The scraper keeps its socket open; a probe must still get through at once.
            r = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            assert r.status_code == 200, name
        finally:
            scraper.close()
