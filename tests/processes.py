"""Helpers for tests that start processes and servers: free ports, child processes, liveness."""

import socket


def free_port():
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid):
    """Return the pids of ``pid``'s direct children (empty once it has exited)."""
    try:
        return [int(p) for p in open(f"/proc/{pid}/task/{pid}/children").read().split()]
    except OSError:
        return []


def descendants(pid):
    """Return the pids of every process below ``pid``."""
    found = set()
    for child in children(pid):
        found |= {child} | descendants(child)
    return found


def alive(pid):
    """Return True while ``pid`` runs (a zombie has ended)."""
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
