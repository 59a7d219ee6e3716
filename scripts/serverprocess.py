"""What the check scripts share: a check that stops the script on failure, and a server process started and
waited for until it reports its port."""
import re
import signal
import subprocess
import sys
import threading


def check(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {message}")


class Server:
    """A server process whose stderr is collected, started and waited for until it reports its port."""

    def __init__(self, command, banner):
        self.lines = []
        self.process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        ready = threading.Event()
        self.port = None

        def read():
            for line in self.process.stderr:
                self.lines.append(line)
                match = re.search(banner + r" listening on http://127\.0\.0\.1:(\d+)", line)
                if match and not ready.is_set():
                    self.port = int(match.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        ready.wait(timeout=60)
        if self.port is None and self.process.poll() is None:
            self.process.kill()
        check(self.port is not None, f"{banner} starts and reports its port" + ("" if self.port else f": {''.join(self.lines[-3:]).strip()[:400]}"))

    def stop(self, sig=signal.SIGTERM, timeout=30):
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)
