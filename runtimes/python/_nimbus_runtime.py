"""nimbus's Python runtime: runs a Lambda handler (`module.function`) as AWS
Lambda's python3.x runtimes do, speaking the Runtime API (2018-06-01) at
$AWS_LAMBDA_RUNTIME_API. Standard library only. Started by bootstrap.py:

    python3 -s bootstrap.py            (cwd and LAMBDA_TASK_ROOT: the function's code)
    python3 -s bootstrap.py --zygote   (forks instances for nimbus: _nimbus_zygote.py)

- The handler's module is imported once; its globals and /tmp persist
  across warm invocations. The code directory and its python/ directory
  come first on sys.path, then the interpreter's own packages.
- Errors as Lambda reports them ({"errorMessage", "errorType", "requestId",
  "stackTrace"}); Runtime.ImportModuleError, Runtime.HandlerNotFound,
  Runtime.UserCodeSyntaxError at init; Runtime.MarshalError for results
  that are not JSON.
- logging goes out in Lambda's format ([LEVEL] time request-id message);
  print() as is. An exception is logged as Lambda's runtime logs it, one
  event: "[ERROR] Type: message", "Traceback (most recent call last):" and
  the frames (see log_error). _X_AMZN_TRACE_ID is set for each invocation.
- boto3/botocore clients and resources created without endpoint_url get
  AWS_ENDPOINT_URL (older botocore ignores that variable).
- Response streaming, a nimbus extension (AWS's Python runtimes do not
  stream): a handler that returns an iterator (a generator) streams it, each
  item one chunk sent as soon as it is produced (bytes as they are, str as
  UTF-8, anything else as JSON), with Lambda's streaming protocol
  (Lambda-Runtime-Function-Response-Mode: streaming, chunked, error
  trailers). An exception while iterating ends the stream with that error.
  context.response_content_type, if set by the first item, is the stream's
  Content-Type (default application/octet-stream).
  context.set_http_response(status_code, headers, cookies), called by then,
  is Node's awslambda.HttpResponseStream.from for function URLs in
  RESPONSE_STREAM mode: the stream begins with that JSON prelude and 8 NUL
  bytes, its Content-Type application/vnd.awslambda.http-integration-response;
  a handler that calls it and returns a value (not an iterator) streams that
  value as the body.
"""
import json
import os
import sys
import time
from itertools import chain

BASE = "/2018-06-01/runtime"
HTTP_INTEGRATION_RESPONSE = "application/vnd.awslambda.http-integration-response"


class RuntimeClient:
    """One kept-alive HTTP/1.1 connection to the Runtime API. A few lines of
    socket code instead of http.client, whose imports (email, ssl) would be
    most of a cold start."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.address = (host.strip("[]"), int(port))
        self.sock = None
        self.buffer = b""

    def connect(self):
        if self.sock is None:
            # The C module itself: the socket module would import enum and
            # selectors, and create_connection the idna codec, for a numeric
            # loopback address.
            import _socket
            family = _socket.AF_INET6 if ":" in self.address[0] else _socket.AF_INET
            self.sock = _socket.socket(family, _socket.SOCK_STREAM)
            self.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            self.sock.connect(self.address)
            self.buffer = b""

    def call(self, method, path, body=b"", headers=None):
        head = f"{method} {BASE}{path} HTTP/1.1\r\nHost: {self.address[0]}\r\nContent-Length: {len(body)}\r\n"
        for name, value in (headers or {}).items():
            head += f"{name}: {value}\r\n"
        request = head.encode() + b"\r\n" + body
        for attempt in (0, 1):
            try:
                self.connect()
                self.sock.sendall(request)
                return self.read_response()
            except (OSError, ConnectionError):
                if self.sock is not None:
                    self.sock.close()
                self.sock = None
                if attempt:
                    raise

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the Runtime API closed the connection")
        self.buffer += data

    def read_line(self):
        while (end := self.buffer.find(b"\r\n")) < 0:
            self.fill()
        line, self.buffer = self.buffer[:end], self.buffer[end + 2:]
        return line

    def read_exactly(self, n):
        while len(self.buffer) < n:
            self.fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_response(self):
        while True:
            status = int(self.read_line().split(b" ", 2)[1])
            headers = Headers()
            while line := self.read_line():
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if status >= 200:
                break  # 1xx: an interim answer, the real one follows
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while size := int(self.read_line().split(b";")[0], 16):
                body += self.read_exactly(size)
                self.read_line()
            while self.read_line():  # trailers
                pass
        else:
            body = self.read_exactly(int(headers.get("content-length") or 0))
        if headers.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = None
        return status, headers, body

    def next(self):
        status, headers, body = self.call("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError(f"invocation/next answered {status}: {body[:200]!r}")
        return headers, body

    def respond(self, request_id, payload):
        self.call("POST", f"/invocation/{request_id}/response", payload, {"Content-Type": "application/json"})

    def fail(self, request_id, error):
        self.call("POST", f"/invocation/{request_id}/error", json.dumps(error).encode(),
                  {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error["errorType"]})

    def stream(self, request_id, items, content_type):
        """A streamed response: each item of the iterator sent as one HTTP
        chunk as soon as it is there. Returns the error object when iterating
        raised, else None."""
        head = (f"POST {BASE}/invocation/{request_id}/response HTTP/1.1\r\nHost: {self.address[0]}\r\n"
                "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
                f"Content-Type: {content_type}\r\n"
                "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n")
        try:
            self.connect()
            self.sock.sendall(head.encode())
        except OSError:
            # A kept-alive connection the server closed: nothing of this request went out yet.
            if self.sock is not None:
                self.sock.close()
            self.sock = None
            self.connect()
            self.sock.sendall(head.encode())
        error, trailers = None, b""
        while True:
            try:
                data = chunk_bytes(next(items))
            except StopIteration:
                break
            except Exception as e:  # the function's own error, mid-stream
                error = error_object(e, request_id=CURRENT_REQUEST_ID)
                log_error(error)  # before the end: the log lines belong to this invocation
                import base64
                trailers = (f"Lambda-Runtime-Function-Error-Type: {error['errorType']}\r\n"
                            f"Lambda-Runtime-Function-Error-Body: "
                            f"{base64.b64encode(json.dumps(error).encode()).decode()}\r\n").encode()
                break
            try:
                self.send_chunk(data)
            except OSError:
                # The runtime API hung up mid-stream (the invocation timed out
                # or grew too large, and it said so): on to the next invocation.
                self.sock.close()
                self.sock = None
                return None
        try:
            self.sock.sendall(b"0\r\n" + trailers + b"\r\n")
            self.read_response()
        except (OSError, ConnectionError):
            if self.sock is not None:
                self.sock.close()
            self.sock = None
        return error

    def send_chunk(self, data):
        if data:  # an empty chunk would end the body
            sys.stdout.flush()
            self.sock.sendall(b"%x\r\n" % len(data) + data + b"\r\n")

    def fail_init(self, error):
        self.call("POST", "/init/error", json.dumps(error).encode(),
                  {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error["errorType"]})


def chunk_bytes(item):
    if isinstance(item, (bytes, bytearray, memoryview)):
        return bytes(item)
    if isinstance(item, str):
        return item.encode()
    return json.dumps(item).encode()


def is_stream(result):
    """What nimbus streams: an iterator (a generator, a file, map()…), never
    a value Lambda would marshal as JSON."""
    return (hasattr(result, "__next__") and hasattr(result, "__iter__")
            and not isinstance(result, (str, bytes, bytearray, dict, list, tuple)))


class Headers(dict):
    """Response headers, looked up by any capitalisation."""

    def get(self, name, default=None):
        return super().get(name.lower(), default)


def error_object(exc, error_type=None, request_id=None, message=None):
    """Lambda's error shape. The stack shows the function's frames only; errors
    the runtime itself reports (Runtime.*) carry none, as on Lambda."""
    import traceback
    frames = []
    if exc is not None and not (error_type or "").startswith("Runtime."):
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    err = {"errorMessage": message if message is not None else str(exc),
           "errorType": error_type or type(exc).__name__,
           "stackTrace": traceback.format_list(frames)}
    if request_id:
        err["requestId"] = request_id
    return err


# nimbus's log capture takes a line that starts with this mark as one log
# event, "\r" separating its lines (functions/log_capture.h): what Lambda's
# runtime sends as one frame of its telemetry log.
EVENT_MARK = "\x1e"
LOG_INDENT = "\u00a0"  # Lambda's runtime indents traceback lines with no-break spaces


def log_error(err):
    """An error as awslambdaric's log_error writes it, in one log event."""
    first = "[ERROR]"
    if err.get("errorType"):
        first += " " + err["errorType"]
    if err.get("errorMessage"):
        first += (":" if err.get("errorType") else "") + " " + err["errorMessage"]
    lines = [first]
    if err.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in err["stackTrace"]:
            for line in element.splitlines() or [""]:
                text = line.lstrip(" ")
                lines.append(LOG_INDENT * (len(line) - len(text)) + text)
    event = "\r".join(lines).replace("\n", "\r")
    sys.stdout.write(EVENT_MARK + event + "\n")
    sys.stdout.flush()


class InitError(Exception):
    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def load_handler(spec):
    """`module.function`, `pkg/sub/module.function` or `pkg.sub.module.function`."""
    module_path, dot, function_name = spec.rpartition(".")
    if not dot or not module_path or not function_name:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': not enough values to unpack "
                                                         "(expected 2, got 1)")
    module_name = module_path.replace("/", ".")
    import importlib
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        raise InitError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {e}") from e
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {e}") from e
    handler = getattr(module, function_name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    if not callable(handler):
        raise InitError("Runtime.HandlerNotFound", f"Handler '{function_name}' on module '{module_name}' "
                                                   "is not a function")
    return handler


class CognitoIdentity:
    def __init__(self, raw):
        data = json.loads(raw) if raw else {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class ClientContext:
    def __init__(self, raw):
        data = json.loads(raw) if raw else {}
        self.client = data.get("client")
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    """What Lambda passes as `context`."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.identity = CognitoIdentity(headers.get("Lambda-Runtime-Cognito-Identity"))
        client_context = headers.get("Lambda-Runtime-Client-Context")
        self.client_context = ClientContext(client_context) if client_context else None
        self.response_content_type = None  # a streaming handler's Content-Type (nimbus)
        self.http_prelude = None  # set_http_response's bytes, sent before the first item

    def set_http_response(self, status_code=200, headers=None, cookies=None):
        """A streaming handler's HTTP status, headers and cookies for a
        function URL in RESPONSE_STREAM mode (nimbus; Node's
        awslambda.HttpResponseStream.from). Before the first item."""
        prelude = {"statusCode": status_code, "headers": dict(headers or {}), "cookies": list(cookies or [])}
        self.http_prelude = json.dumps(prelude).encode() + b"\0" * 8
        self.response_content_type = HTTP_INTEGRATION_RESPONSE

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


CURRENT_REQUEST_ID = ""


def setup_logging(logging):
    """Lambda's log format on the root logger: [LEVEL] time request-id message.
    Run when the logging module is first imported (by the handler or a
    library), so functions that never log do not pay for importing it."""

    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = CURRENT_REQUEST_ID
            return True

    class LambdaFormatter(logging.Formatter):
        converter = time.gmtime

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(LambdaFormatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL"):
        root.setLevel({"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level))


def endpoint_for(service_name):
    specific = "AWS_ENDPOINT_URL_" + service_name.upper().replace("-", "_").replace(" ", "_")
    return os.environ.get(specific) or os.environ.get("AWS_ENDPOINT_URL")


def patch_botocore_session(module):
    original = module.Session.create_client

    def create_client(self, service_name, *args, **kwargs):
        # endpoint_url is create_client's 6th parameter (5th after service_name).
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            endpoint = endpoint_for(service_name)
            if endpoint:
                kwargs["endpoint_url"] = endpoint
        return original(self, service_name, *args, **kwargs)

    module.Session.create_client = create_client


class AfterImport:
    """A meta path finder that runs `then(module)` right after `name` is
    first imported, so the runtime can adjust modules it does not import."""

    def __init__(self, name, then):
        self.name, self.then = name, then

    def find_spec(self, name, path, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if find and (spec := find(name, path, target)) is not None:
                break
        if spec is None or spec.loader is None:
            return spec
        exec_module, then = spec.loader.exec_module, self.then

        def exec_and_then(module):
            exec_module(module)
            then(module)

        spec.loader.exec_module = exec_and_then
        return spec


def after_import(name, then):
    if name in sys.modules:
        then(sys.modules[name])  # already there (a zygote preloaded it)
    else:
        sys.meta_path.insert(0, AfterImport(name, then))


def run_instance(how="started"):
    """The Runtime API loop of one instance: init, then invocations until killed."""
    global CURRENT_REQUEST_ID
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    # sys.path[0] is this runtime's own directory (bootstrap.py's): the function's code takes its place.
    sys.path[0:1] = [task_root, os.path.join(task_root, "python")]
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    if os.environ.get("AWS_ENDPOINT_URL"):
        after_import("botocore.session", patch_botocore_session)
    after_import("logging", setup_logging)
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    print(f"nimbus python runtime: {sys.executable} {sys.version.split()[0]} "
          f"(asked for {os.environ.get('AWS_EXECUTION_ENV', 'python3')}; {how})", flush=True)
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except InitError as e:
        err = error_object(e.__cause__ or e, e.error_type, message=str(e))
        log_error(err)
        client.fail_init(err)
        sys.exit(1)
    except Exception as e:  # the module raised while being imported
        err = error_object(e)
        log_error(err)
        client.fail_init(err)
        sys.exit(1)

    while True:
        headers, body = client.next()
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        CURRENT_REQUEST_ID = request_id
        try:
            event = json.loads(body) if body else None
        except ValueError as e:
            err = error_object(e, "Runtime.UnmarshalError", request_id, f"Unable to unmarshal input: {e}")
            log_error(err)
            client.fail(request_id, err)
            continue
        context = LambdaContext(headers)
        try:
            result = handler(event, context)
            stream = is_stream(result)
            if stream:
                # The first item (and the content type the handler may set by then), before anything is sent:
                # an iterator that fails at once fails the invocation as a plain error would.
                try:
                    first = next(result)
                    items = chain((first,), result)
                except StopIteration:
                    items = iter(())
        except Exception as e:
            err = error_object(e, request_id=request_id)
            log_error(err)
            client.fail(request_id, err)
            continue
        if not stream and context.http_prelude is not None:
            # set_http_response asks for a streamed answer: what the handler returned is its body.
            stream, items = True, iter(() if result is None else (result,))
        if stream:
            if context.http_prelude is not None:
                items = chain((context.http_prelude,), items)
            client.stream(request_id, items, context.response_content_type or "application/octet-stream")
            continue
        try:
            payload = json.dumps(result).encode()
        except (TypeError, ValueError) as e:
            err = error_object(e, "Runtime.MarshalError", request_id, f"Unable to marshal response: {e}")
            log_error(err)
            client.fail(request_id, err)
            continue
        client.respond(request_id, payload)


def main(args):
    if args[:1] == ["--zygote"]:
        import _nimbus_zygote
        _nimbus_zygote.serve(lambda: run_instance("forked from the zygote"))
    else:
        run_instance()
