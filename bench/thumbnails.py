"""Thumbnails per second, end to end, against Pillow doing the same resize.

    /usr/bin/python3 bench/thumbnails.py [IMAGES_1MP=200] [IMAGES_12MP=40]

For 1 MP (1152x864) and 12 MP (4000x3000) JPEGs (photo-like: gradients,
shapes and grain, "smooth" and "grainy" (see CONTENT); made here with
Pillow, quality 90):

- nimbus: its own server (build/src/cli/nimbus, free port, temporary data),
  the thumbnail application deployed with examples/thumbnail/deploy.sh, then
  N uploads from 4 client threads (boto3 put_object under input/). Time from
  the first upload to the moment the last thumbnail has been written (read
  from the function's log lines). Includes the uploads, the durable event,
  the function's GetObject, libvips and the PutObject of the thumbnail.
- the seed's own Python handler on nimbus (deploy.sh --python: bucket
  photos-python, boto3 + Pillow in the function), measured the same way.
- Pillow (python3-pil), the seed's handler's work only, no storage, no
  network: Image.open -> resize to fit 200x200 (the seed's arithmetic,
  Pillow's default filter) -> JPEG into memory. Once in one process, once
  in a pool of one process per core (what nimbus gets to use), and the best
  case of Pillow's own thumbnail() (JPEG draft mode, reducing_gap) in the pool.

Prints one RESULT line per size and content, with the function's own median
time per picture; ratio = nimbus end to end / Pillow pool (seed's code).
"""
import io
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from PIL import Image, ImageDraw, ImageFilter

from nimbus_process import KEYS, ROOT, nimbus

SIZES = {"1MP": (1152, 864), "12MP": (4000, 3000)}
# How much sensor-like grain: "smooth" compresses to ~0.1 MB per megapixel,
# "grainy" to ~0.35 MB (a phone photo at high quality). Grain costs JPEG
# entropy decoding, which no decoder can skip by scaling on load.
CONTENT = {"smooth": 0.03, "grainy": 0.2}


def photo(size, seed, grain_level):
    w, h = size
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    d = ImageDraw.Draw(im)
    for i in range(12):
        x, y = (seed * 97 + i * 131) % w, (seed * 53 + i * 71) % h
        r = (w // 8) * (1 + i % 3)
        d.ellipse((x - r, y - r, x + r, y + r), fill=((i * 40 + seed) % 255, (i * 90) % 255, (200 - i * 15) % 255))
    im = im.filter(ImageFilter.GaussianBlur(3))
    grain = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])
    im = Image.blend(im, grain, grain_level)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def seed_resize(data):
    """What the seed's handler does to a picture (its arithmetic, fixed to run)."""
    with Image.open(io.BytesIO(data)) as im:
        width, height = im.size
        if width > height:
            new_width, new_height = 200, int(height / width * 200)
        else:
            new_width, new_height = int(width / height * 200), 200
        out = io.BytesIO()
        im.resize((new_width, new_height)).save(out, "JPEG")
        return len(out.getvalue())


def pillow_thumbnail(data):
    with Image.open(io.BytesIO(data)) as im:
        im.thumbnail((200, 200))
        out = io.BytesIO()
        im.save(out, "JPEG")
        return len(out.getvalue())


def rate(fn, images, n, workers):
    work = [images[i % len(images)] for i in range(n)]
    start = time.perf_counter()
    if workers == 1:
        for d in work:
            fn(d)
    else:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(fn, work, chunksize=1))
    return n / (time.perf_counter() - start)


def function_ms(server, label):
    """Median time the function reported for one picture (GET + thumbnail + PUT)."""
    marker = f"thumbnail s3://photos/input/bench-{label}-"
    times = sorted(float(l.rsplit(" in ", 1)[1].split()[0]) for l in server.log_text().splitlines() if marker in l)
    return times[len(times) // 2]


def nimbus_rate(server, label, images, n, bucket="photos"):
    s3 = server.client("s3")
    done_marker = f"-> serverless/input/bench-{label}-"  # the C++ and the Python function both log it
    before = server.log_text().count(done_marker)
    clients = [server.client("s3") for _ in range(4)]

    def put(i):
        clients[i % 4].put_object(Bucket=bucket, Key=f"input/bench-{label}-{i}.jpg", Body=images[i % len(images)],
                                  ContentType="image/jpeg")

    start = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(put, range(n)))
    uploaded = time.perf_counter() - start
    while server.log_text().count(done_marker) - before < n:
        if time.perf_counter() - start > 600:
            raise SystemExit("thumbnails did not all appear: " + server.log_text()[-2000:])
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    made = s3.list_objects_v2(Bucket=bucket, Prefix=f"serverless/input/bench-{label}-")["KeyCount"]
    if made != n:
        open("/tmp/thumb-bench.log", "w").write(server.log_text())
        raise SystemExit(f"{made} thumbnails listed after {n} uploads (log in /tmp/thumb-bench.log)")
    return n / elapsed, uploaded


def main():
    counts = {"1MP": int(sys.argv[1]) if len(sys.argv) > 1 else 200,
              "12MP": int(sys.argv[2]) if len(sys.argv) > 2 else 40}
    cores = os.cpu_count() or 1
    with nimbus() as server:
        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEYS["aws_access_key_id"],
                   AWS_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"], AWS_DEFAULT_REGION=KEYS["region_name"])
        subprocess.run(["bash", str(ROOT / "examples/thumbnail/deploy.sh"), server.endpoint], env=env, check=True)
        subprocess.run(["bash", str(ROOT / "examples/thumbnail/deploy.sh"), "--python", server.endpoint], env=env,
                       check=True)
        for (size_label, size), (content, grain) in [(s, c) for s in SIZES.items() for c in CONTENT.items()]:
            label = f"{size_label}-{content}"
            images = [photo(size, s, grain) for s in range(8)]
            n = counts[size_label]
            nimbus_rate(server, label + "w", images, 4)  # warm the instances
            ours, uploaded = nimbus_rate(server, label, images, n)
            nimbus_rate(server, label + "-pyw", images, 4, "photos-python")
            python_seed, _ = nimbus_rate(server, label + "-py", images, n, "photos-python")
            seed_1 = rate(seed_resize, images, max(8, n // 4), 1)
            seed_pool = rate(seed_resize, images, n, cores)
            thumb_pool = rate(pillow_thumbnail, images, n, cores)
            mb = sum(map(len, images)) / len(images) / 1e6
            print(f"RESULT thumbnails {label} jpeg~{mb:.2f}MB n={n} nimbus_e2e={ours:.1f}/s "
                  f"function_p50={function_ms(server, label):.1f}ms "
                  f"(uploads done after {uploaded:.2f}s) pillow_seed_1proc={seed_1:.1f}/s "
                  f"pillow_seed_{cores}proc={seed_pool:.1f}/s pillow_thumbnail_{cores}proc={thumb_pool:.1f}/s "
                  f"ratio_vs_seed={ours / seed_pool:.1f}x ratio_vs_thumbnail={ours / thumb_pool:.1f}x "
                  f"seed_handler_on_nimbus={python_seed:.1f}/s cpp_vs_seed_handler={ours / python_seed:.1f}x", flush=True)
        instances = server.log_text().count("Init Duration")
        print(f"RESULT thumbnail instances started: {instances}")


if __name__ == "__main__":
    main()
