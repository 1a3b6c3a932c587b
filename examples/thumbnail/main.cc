// thumbnail: the image-processing application. Triggered by S3 ObjectCreated
// events, it reads each uploaded picture through the S3 API, makes a
// thumbnail that fits in 200x200 (aspect ratio kept, never enlarged, EXIF
// orientation applied) with libvips' shrink-on-load, and writes it to
// serverless/<original key> in the same bucket, in the same format.
// JPEG, PNG, WebP, GIF and TIFF are accepted; anything else fails the
// invocation with errorType InvalidImage (so async retries end in a dead
// letter) while the instance stays up for the next event.
//
// Environment: THUMBNAIL_SIZE (default 200), THUMBNAIL_PREFIX (default
// "serverless/"), and the S3 client's AWS_* variables (see nimbus/s3.h).
#include <nimbus/runtime.h>
#include <nimbus/s3.h>
#include <vips/vips8>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

namespace {

using nimbus::runtime::Invocation;
using nimbus::runtime::Outcome;
namespace json = boost::json;

struct Format {
  const char* loader_prefix;  // libvips' loader class names start with this
  const char* name;
  const char* suffix;  // picks libvips' saver
  const char* mime;
};

constexpr Format kFormats[] = {
    {"VipsForeignLoadJpeg", "jpeg", ".jpg", "image/jpeg"},
    {"VipsForeignLoadPng", "png", ".png", "image/png"},
    {"VipsForeignLoadWebp", "webp", ".webp", "image/webp"},
    {"VipsForeignLoadGif", "gif", ".gif", "image/gif"},
    {"VipsForeignLoadNsgif", "gif", ".gif", "image/gif"},
    {"VipsForeignLoadTiff", "tiff", ".tif", "image/tiff"},
};

// Thrown for input that is not a picture we can thumbnail.
struct InvalidImage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// libvips' messages end in newlines and may span lines; logs want one line.
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text)
    if (c == '\n') c = ';';
  return text;
}

std::string vips_error_text() {
  std::string text = vips_error_buffer();
  vips_error_clear();
  return one_line(std::move(text));
}

const Format& detect(const std::string& bytes, const std::string& key) {
  const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  if (!loader) {
    vips_error_clear();
    throw InvalidImage(key + " is not an image (" + std::to_string(bytes.size()) + " bytes, no image loader recognises them)");
  }
  for (const auto& f : kFormats)
    if (std::string_view(loader).rfind(f.loader_prefix, 0) == 0) return f;
  throw InvalidImage(key + " is a format this function does not handle (" + loader +
                     "); JPEG, PNG, WebP, GIF and TIFF are");
}

struct Thumbnail {
  std::string bytes;
  int width = 0, height = 0;
};

Thumbnail make_thumbnail(const std::string& input, const std::string& key, const Format& format, int size) {
  // The blob borrows `input`; libvips reads it lazily inside this function only.
  VipsBlob* blob = vips_blob_new(nullptr, input.data(), input.size());
  std::unique_ptr<VipsBlob, void (*)(VipsBlob*)> blob_ref(blob, [](VipsBlob* b) { vips_area_unref(VIPS_AREA(b)); });
  try {
    vips::VImage thumb = vips::VImage::thumbnail_buffer(
        blob, size, vips::VImage::option()->set("height", size)->set("size", VIPS_SIZE_DOWN));
    void* out = nullptr;
    size_t out_len = 0;
    thumb.write_to_buffer(format.suffix, &out, &out_len, vips::VImage::option()->set("strip", true));
    Thumbnail t{std::string(static_cast<char*>(out), out_len), thumb.width(), thumb.height()};
    g_free(out);
    return t;
  } catch (const vips::VError& e) {
    vips_error_clear();
    throw InvalidImage(key + " could not be decoded as " + format.name + ": " + one_line(e.what()));
  }
}

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

class Handler {
 public:
  Handler()
      : s3_(nimbus::s3::Config::from_env()),
        size_(std::atoi(env_or("THUMBNAIL_SIZE", "200").c_str())),
        prefix_(env_or("THUMBNAIL_PREFIX", "serverless/")) {
    if (size_ <= 0 || size_ > 10000) throw std::invalid_argument("THUMBNAIL_SIZE must be 1..10000");
  }

  Outcome operator()(const Invocation& inv) {
    json::value event;
    try {
      event = json::parse(inv.payload);
    } catch (const std::exception&) {
      return Outcome::failure("InvalidEvent", "the event is not JSON");
    }
    const json::value* records = event.is_object() ? event.as_object().if_contains("Records") : nullptr;
    if (!records || !records->is_array())
      return Outcome::failure("InvalidEvent", "expected an S3 event notification with Records[]");

    json::array done;
    for (const auto& record : records->as_array()) {
      const json::value* s3 = record.is_object() ? record.as_object().if_contains("s3") : nullptr;
      if (!s3) continue;  // not an S3 record
      const auto* bucket = s3->as_object().if_contains("bucket");
      const auto* object = s3->as_object().if_contains("object");
      if (!bucket || !object || !bucket->is_object() || !object->is_object())
        return Outcome::failure("InvalidEvent", "an S3 record without bucket or object");
      const auto* name = bucket->as_object().if_contains("name");
      const auto* encoded_key = object->as_object().if_contains("key");
      if (!name || !name->is_string() || !encoded_key || !encoded_key->is_string())
        return Outcome::failure("InvalidEvent", "an S3 record without bucket.name or object.key");
      std::string bucket_name(name->as_string());
      std::string key = nimbus::s3::decode_event_key(encoded_key->as_string());
      if (key.rfind(prefix_, 0) == 0) {
        // Never thumbnail a thumbnail: a trigger on the whole bucket would loop.
        std::printf("skipping %s: it is under %s\n", key.c_str(), prefix_.c_str());
        continue;
      }
      try {
        done.push_back(process(bucket_name, key));
      } catch (const InvalidImage& e) {
        std::fprintf(stderr, "ERROR InvalidImage s3://%s/%s: %s\n", bucket_name.c_str(), key.c_str(), e.what());
        return Outcome::failure("InvalidImage", e.what());
      } catch (const nimbus::s3::Error& e) {
        std::fprintf(stderr, "ERROR S3 s3://%s/%s: %s\n", bucket_name.c_str(), key.c_str(), e.what());
        return Outcome::failure("S3Error", e.what());
      }
    }
    return Outcome::success(json::serialize(json::object{{"thumbnails", std::move(done)}}));
  }

 private:
  json::object process(const std::string& bucket, const std::string& key) {
    auto start = std::chrono::steady_clock::now();
    std::string input = s3_.get_object(bucket, key);
    const Format& format = detect(input, key);
    Thumbnail t = make_thumbnail(input, key, format, size_);
    std::string out_key = prefix_ + key;
    nimbus::s3::PutOptions put;
    put.content_type = format.mime;
    s3_.put_object(bucket, out_key, t.bytes, put);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("thumbnail s3://%s/%s (%zu bytes %s) -> %s %dx%d (%zu bytes) in %.1f ms\n", bucket.c_str(),
                key.c_str(), input.size(), format.name, out_key.c_str(), t.width, t.height, t.bytes.size(), ms);
    return {{"source", key}, {"key", out_key}, {"format", format.name}, {"width", t.width}, {"height", t.height},
            {"bytes", t.bytes.size()}};
  }

  nimbus::s3::Client s3_;
  int size_;
  std::string prefix_;
};

}  // namespace

int main(int, char** argv) {
  // libvips loads its optional format modules (HEIF, JPEG XL, ImageMagick,
  // OpenSlide, PDF) from $VIPSHOME's libdir at start-up: 30+ ms of a cold
  // start for formats this function refuses anyway. Pointing VIPSHOME at
  // the code directory, which has no modules, skips them (init ~2 ms).
  if (const char* root = std::getenv("LAMBDA_TASK_ROOT")) setenv("VIPSHOME", root, 0);
  if (VIPS_INIT(argv[0])) nimbus::runtime::fail_init("Runtime.InitError", "libvips: " + vips_error_text());
  // One picture at a time per instance: cached operations would only hold
  // decoded images in memory between invocations.
  vips_cache_set_max(0);
  std::optional<Handler> handler;
  try {
    handler.emplace();
  } catch (const std::exception& e) {
    nimbus::runtime::fail_init("Runtime.InitError", e.what());
  }
  nimbus::runtime::run([&](const Invocation& inv) { return (*handler)(inv); });
}
