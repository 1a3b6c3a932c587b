"""nimbus's Python zygote: an interpreter that has the runtime and common
modules imported and forks function instances on request, so a cold start
skips interpreter start-up and imports (the SOCK paper's zygote).

    python3 bootstrap.py --zygote     (fd 3: a SOCK_SEQPACKET socket to nimbus)

Modules named in NIMBUS_PYTHON_PRELOAD (comma-separated) are imported once.
Messages are JSON, one per packet, file descriptors passed beside them:

    zygote -> nimbus   {"ready": true, "python": "3.11.2", "preloaded": [...], "failed": {...}}
    nimbus -> zygote   {"id": N, "env": {...}, "cwd": DIR, "memory": BYTES}   + the output pipe's write end
    zygote -> nimbus   {"id": N, "pid": PID}                                + a pidfd of the instance
                       {"id": N, "plain": REASON}    start this one as a fresh process instead
                       {"id": N, "error": MESSAGE}
    zygote -> nimbus   {"exit": PID, "status": WAIT_STATUS, "maxrss_kb": KB}

An instance is forked only where it would behave exactly as a fresh
interpreter: not when its environment sets PYTHON* variables (read at
interpreter start), when its package has a lib/ directory (LD_LIBRARY_PATH is
read at process start), or when it ships a module the zygote has already
imported (its own boto3, say). Then nimbus starts it plainly.
"""
import sys

BASELINE = {name.partition(".")[0] for name in sys.modules}  # what a plain bootstrap has imported too


def data_bytes():
    """This process's data segment (VmData): what RLIMIT_DATA limits."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


BASELINE_DATA = data_bytes()

import ctypes  # noqa: E402  (imported after the baseline is taken, on purpose)
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import selectors  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

CONTROL_FD = 3
PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
LIBC = ctypes.CDLL(None, use_errno=True)


def send(sock, message, fds=()):
    socket.send_fds(sock, [json.dumps(message).encode()], list(fds))


def preload(names):
    loaded, failed = [], {}
    for name in names:
        try:
            __import__(name)
            loaded.append(name)
        except Exception as e:  # a missing or broken package: instances import it themselves
            failed[name] = f"{type(e).__name__}: {e}"
    return loaded, failed


def reason_to_start_plainly(request, preloaded_tops):
    env = request["env"]
    for name, value in env.items():
        if name.startswith("PYTHON") and os.environ.get(name) != value:
            return f"{name} is set"
    root = env.get("LAMBDA_TASK_ROOT") or request["cwd"]
    if os.path.isdir(os.path.join(root, "lib")):
        return "the package has a lib/ directory"
    for directory in (root, os.path.join(root, "python")):
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        for entry in entries:
            top = entry.partition(".")[0]  # boto3, six.py, _speedups.cpython-311-x86_64-linux-gnu.so
            if top in preloaded_tops:
                return f"the package ships its own {top}"
    return None


def become_instance(request, output_fd, zygote_pid, preloaded_data):
    """In the forked child: the process a plain start would have made."""
    os.setsid()
    # The instance dies with the zygote, which dies with nimbus.
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # What top and ps -o comm show: the function, not "python3".
    LIBC.prctl(PR_SET_NAME, ctypes.c_char_p(request["env"].get("AWS_LAMBDA_FUNCTION_NAME", "function")[:15].encode()),
               0, 0, 0)
    if os.getppid() != zygote_pid:
        os._exit(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    if request.get("memory"):
        # What the preloaded modules take is not the function's: a plain start
        # that does not import them has that much more room under its limit.
        limit = request["memory"] + preloaded_data
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    sys.argv[1:] = []
    sys.modules.pop(__name__, None)


def fork_instance(request, output_fd, run, close_in_child, preloaded_data):
    sys.stdout.flush()
    sys.stderr.flush()
    zygote_pid = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for close in close_in_child:
            close()
        become_instance(request, output_fd, zygote_pid, preloaded_data)
        run()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(run):
    """Preloads, says ready, then forks instances until nimbus closes the socket."""
    sock = socket.socket(fileno=CONTROL_FD)
    LIBC.prctl(PR_SET_NAME, ctypes.c_char_p(b"nimbus-zygote"), 0, 0, 0)
    names = [n.strip() for n in os.environ.get("NIMBUS_PYTHON_PRELOAD", "").split(",") if n.strip()]
    loaded, failed = preload(names)
    preloaded_tops = {name.partition(".")[0] for name in sys.modules} - BASELINE - {__name__}
    gc.collect()
    gc.freeze()  # instances would otherwise copy every page the collector touches
    preloaded_data = max(0, data_bytes() - BASELINE_DATA)
    send(sock, {"ready": True, "python": sys.version.split()[0], "preloaded": loaded, "failed": failed})

    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ, None)
    pidfds = {}  # pidfd -> pid of a live instance

    def close_in_child():
        selector.close()
        sock.close()
        for fd in pidfds:
            os.close(fd)

    while True:
        for key, _ in selector.select():
            if key.data is not None:  # an instance exited
                pid = pidfds.pop(key.fd)
                selector.unregister(key.fd)
                os.close(key.fd)
                _, status, usage = os.wait4(pid, 0)
                send(sock, {"exit": pid, "status": status, "maxrss_kb": usage.ru_maxrss})
                continue
            message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 4)
            if not message:
                return  # nimbus went away; instances follow (parent-death signal)
            request = json.loads(message)
            output_fd = fds[0] if fds else -1
            for extra in fds[1:]:
                os.close(extra)
            reason = "no output pipe was passed" if output_fd < 0 else reason_to_start_plainly(request,
                                                                                             preloaded_tops)
            if reason:
                if output_fd >= 0:
                    os.close(output_fd)
                send(sock, {"id": request["id"], "plain": reason})
                continue
            try:
                pid = fork_instance(request, output_fd, run, [close_in_child], preloaded_data)
                pidfd = os.pidfd_open(pid)
            except OSError as e:
                send(sock, {"id": request["id"], "error": str(e)})
                continue
            finally:
                os.close(output_fd)
            pidfds[pidfd] = pid
            selector.register(pidfd, selectors.EVENT_READ, pid)
            send(sock, {"id": request["id"], "pid": pid}, [pidfd])
