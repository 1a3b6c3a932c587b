"""The thumbnail application end to end: deployed with its own deploy
script, fed with real pictures made here with Pillow through `aws s3 cp`,
its output checked with Pillow (format, size, orientation, Content-Type).
Also: corrupt uploads end in dead letters and are redriven once fixed, and
no upload loses its thumbnail when the server is killed right after the 200."""
import io
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, Nimbus, aws_cli, boto3_client, client_env, nimbus_bin, run_aws
from test_lambda import bootstrap_pids, build_dir, wait_for

Image = pytest.importorskip("PIL.Image")

DEPLOY = ROOT / "examples" / "thumbnail" / "deploy.sh"


def deploy(server):
    bootstrap = build_dir() / "examples" / "thumbnail" / "bootstrap"
    if not bootstrap.exists():
        pytest.skip(f"{bootstrap} is not built")
    env = client_env({"AWS_CLI": aws_cli(), "THUMBNAIL_BOOTSTRAP": str(bootstrap)})
    r = subprocess.run(["bash", str(DEPLOY), server.endpoint], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return boto3_client(server.endpoint)


@pytest.fixture
def pipeline(tmp_path):
    server = Nimbus(tmp_path / "data", ["--async-retry-delays-ms", "100", "--async-retry-delays-ms", "200"]).start()
    s3 = deploy(server)
    yield server, s3
    assert server.stop() == 0, server.log_text()


def picture(path, size, fmt, mode="RGB", **save):
    """A picture with some structure (so encoders have work to do)."""
    from PIL import ImageDraw
    im = Image.new(mode, size, (40, 120, 200) if mode == "RGB" else (40, 120, 200, 255))
    d = ImageDraw.Draw(im)
    w, h = size
    for i in range(0, max(w, h), max(1, max(w, h) // 20)):
        d.line((i, 0, 0, i), fill=(250, 200, 30) if mode == "RGB" else (250, 200, 30, 128), width=max(1, w // 100))
    if fmt == "GIF":
        im = im.convert("P")
    im.save(path, fmt, **save)
    return path


def wait_for_object(s3, key, timeout=30):
    def exists():
        try:
            s3.head_object(Bucket="photos", Key=key)
            return True
        except Exception:
            return False
    wait_for(exists, timeout=timeout, what=f"s3://photos/{key}")
    return s3.get_object(Bucket="photos", Key=key)


def fits(got, original):
    """200x200 box, aspect ratio kept (to the pixel), never enlarged."""
    w, h = got
    ow, oh = original
    scale = min(200 / ow, 200 / oh, 1)
    return max(abs(w - ow * scale), abs(h - oh * scale)) <= 1


CASES = [
    ("photo.jpg", (1200, 800), "JPEG", "RGB", "image/jpeg"),
    ("portrait.png", (300, 900), "PNG", "RGBA", "image/png"),
    ("web.webp", (640, 480), "WEBP", "RGB", "image/webp"),
    ("anim.gif", (500, 500), "GIF", "RGB", "image/gif"),
    ("scan.tiff", (400, 300), "TIFF", "RGB", "image/tiff"),
    ("tiny.jpg", (120, 80), "JPEG", "RGB", "image/jpeg"),  # smaller than the box: kept as is
]


def test_formats_and_sizes(pipeline, tmp_path):
    server, s3 = pipeline
    for name, size, fmt, mode, _ in CASES:
        run_aws(server.endpoint, "s3", "cp", str(picture(tmp_path / name, size, fmt, mode)), f"s3://photos/input/{name}")
    for name, size, fmt, mode, mime in CASES:
        got = wait_for_object(s3, f"serverless/input/{name}")
        assert got["ContentType"] == mime
        im = Image.open(io.BytesIO(got["Body"].read()))
        assert im.format == fmt, name
        assert fits(im.size, size), (name, im.size)
    # Thumbnails do not trigger anything: they are outside input/.
    time.sleep(0.5)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="photos")["Contents"]]
    assert sorted(keys) == sorted([f"input/{c[0]}" for c in CASES] + [f"serverless/input/{c[0]}" for c in CASES])


def test_big_jpeg_by_multipart_exif_rotation_and_unicode_keys(pipeline, tmp_path):
    server, s3 = pipeline
    # 6000x4000 of noise: about 20 MB, so `aws s3 cp` uploads it in parts
    # and the trigger is CompleteMultipartUpload.
    noise = Image.merge("RGB", [Image.effect_noise((6000, 4000), 80) for _ in range(3)])
    big = tmp_path / "big.jpg"
    noise.save(big, quality=95)
    assert big.stat().st_size > 8 * 1024 * 1024
    run_aws(server.endpoint, "s3", "cp", str(big), "s3://photos/input/big.jpg")
    assert "-" in s3.head_object(Bucket="photos", Key="input/big.jpg")["ETag"]  # a multipart ETag
    got = Image.open(io.BytesIO(wait_for_object(s3, "serverless/input/big.jpg")["Body"].read()))
    assert got.format == "JPEG" and got.size == (200, 133)

    # Stored 300x200, left half red, right half blue, EXIF orientation 6
    # (shown rotated 90 degrees clockwise): seen as 200x300, red on top.
    im = Image.new("RGB", (300, 200), (220, 0, 0))
    im.paste((0, 0, 220), (150, 0, 300, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated = tmp_path / "rotated.jpg"
    im.save(rotated, exif=exif.tobytes())
    key = "input/vacation photos/été 🌞 1.jpg"
    run_aws(server.endpoint, "s3", "cp", str(rotated), f"s3://photos/{key}")
    got = Image.open(io.BytesIO(wait_for_object(s3, "serverless/" + key)["Body"].read())).convert("RGB")
    assert got.size == (133, 200)
    top, bottom = got.getpixel((66, 20)), got.getpixel((66, 180))
    assert top[0] > 150 and top[2] < 80, top
    assert bottom[2] > 150 and bottom[0] < 80, bottom
    assert "thumbnail s3://photos/input/vacation photos/été 🌞 1.jpg" in server.log_text()


def test_prefix_filter(pipeline, tmp_path):
    server, s3 = pipeline
    run_aws(server.endpoint, "s3", "cp", str(picture(tmp_path / "a.jpg", (400, 400), "JPEG")), "s3://photos/other/a.jpg")
    run_aws(server.endpoint, "s3", "cp", str(picture(tmp_path / "b.jpg", (400, 400), "JPEG")), "s3://photos/input/b.jpg")
    wait_for_object(s3, "serverless/input/b.jpg")
    assert "Contents" not in s3.list_objects_v2(Bucket="photos", Prefix="serverless/other/")


def events(server, *args):
    env = dict(client_env(), NIMBUS_ENDPOINT=server.endpoint)
    r = subprocess.run([nimbus_bin(), "events", *args], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_corrupt_upload_is_dead_lettered_then_redriven(pipeline, tmp_path):
    server, s3 = pipeline
    run_aws(server.endpoint, "s3", "cp", str(picture(tmp_path / "ok.jpg", (300, 300), "JPEG")), "s3://photos/input/ok.jpg")
    wait_for_object(s3, "serverless/input/ok.jpg")
    pids = bootstrap_pids("thumbnail")
    assert len(pids) == 1
    bad = tmp_path / "broken.jpg"
    bad.write_text("this is not a picture\n" * 100)
    run_aws(server.endpoint, "s3", "cp", str(bad), "s3://photos/input/broken.jpg")
    wait_for(lambda: "is a dead letter after 3 attempts" in server.log_text(), what="the dead letter")
    log = server.log_text()
    assert log.count("ERROR InvalidImage s3://photos/input/broken.jpg: input/broken.jpg is not an image") == 3
    assert "Runtime exited" not in log
    assert bootstrap_pids("thumbnail") == pids  # the same instance served every attempt: no crash loop
    listed = events(server, "ls")
    line = next(l for l in listed.splitlines() if "dead" in l)
    assert "thumbnail" in line and "InvalidImage: input/broken.jpg is not an image" in line
    # The operator fixes the data (with the trigger off, so only the redrive
    # makes the thumbnail), then redrives the dead letter.
    s3.put_bucket_notification_configuration(Bucket="photos", NotificationConfiguration={})
    run_aws(server.endpoint, "s3", "cp", str(picture(tmp_path / "fixed.jpg", (600, 300), "JPEG")),
            "s3://photos/input/broken.jpg")
    assert "redriven 1" in events(server, "redrive")
    got = Image.open(io.BytesIO(wait_for_object(s3, "serverless/input/broken.jpg")["Body"].read()))
    assert got.size == (200, 100)
    wait_for(lambda: "dead" not in events(server, "ls"), what="the dead letter to go")


def test_no_thumbnail_lost_on_kill9(tmp_path):
    data = tmp_path / "data"
    server = Nimbus(data).start()
    s3 = deploy(server)
    names = [f"k{i}.png" for i in range(5)]
    for n in names:
        picture(tmp_path / n, (500, 250), "PNG")
    for n in names:
        s3.upload_file(str(tmp_path / n), "photos", f"input/{n}")
    server.kill9()  # right after the last 200: some events are still owed
    again = Nimbus(data).start()
    try:
        s3 = boto3_client(again.endpoint)
        for n in names:
            got = Image.open(io.BytesIO(wait_for_object(s3, f"serverless/input/{n}")["Body"].read()))
            assert got.format == "PNG" and got.size == (200, 100)
    finally:
        assert again.stop() == 0
