#include "kubelet-sim/images.h"

#include <catch2/catch.hpp>

#include "kubelet-sim/application.h"
#include "kubelet-sim/ip_pool.h"
#include "kubelet-sim/overrides.h"

namespace ksim::kubelet {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("images: references normalised as containerd reports them",
          "[kubelet]") {
  CHECK(NormalizeImage("nginx").full == "docker.io/library/nginx:latest");
  CHECK(NormalizeImage("nginx:1.27").full == "docker.io/library/nginx:1.27");
  ImageRef t = NormalizeImage("kubeguide/tomcat-app:v1");
  CHECK(t.full == "docker.io/kubeguide/tomcat-app:v1");
  CHECK(t.base == "tomcat-app");
  CHECK(NormalizeImage("registry.k8s.io/pause:3.10").full ==
        "registry.k8s.io/pause:3.10");
  CHECK(NormalizeImage("localhost:5000/app").full ==
        "localhost:5000/app:latest");
  std::string id = t.ImageId();
  CHECK(id.rfind("docker.io/kubeguide/tomcat-app@sha256:", 0) == 0);
  CHECK(id.size() ==
        std::string("docker.io/kubeguide/tomcat-app@sha256:").size() + 64);
  CHECK(id == NormalizeImage("kubeguide/tomcat-app:v1").ImageId());
}

TEST_CASE("images: the table knows the tutorial images", "[kubelet]") {
  CHECK(LookupImage(NormalizeImage("kubeguide/tomcat-app:v1")).listen_ports ==
        std::vector<int>{8080});
  CHECK(LookupImage(NormalizeImage("nginx")).flavor == HttpFlavor::kNginx);
  CHECK(LookupImage(NormalizeImage("busybox")).app == AppKind::kShell);
  CHECK(LookupImage(NormalizeImage("redis:7")).app == AppKind::kRedis);
  CHECK(LookupImage(NormalizeImage("example.com/my/app:1")).key == "default");
}

TEST_CASE("images: tomcat logs its start-up", "[kubelet]") {
  const ImageProfile& p =
      LookupImage(NormalizeImage("kubeguide/tomcat-app:v1"));
  StartupInfo info{"web-1",
                   "10.244.1.2",
                   {8080},
                   base::Time(seconds(1764011034)),
                   milliseconds(2345)};
  auto lines = StartupLog(p, info);
  REQUIRE(!lines.empty());
  CHECK(lines.back().text.find("Server startup in 2345 ms") !=
        std::string::npos);
  CHECK(lines.back().at == milliseconds(2345));
  CHECK(lines.front().text.rfind("24-Nov-2025 19:03:54.000 INFO [main]", 0) ==
        0);
  const ImageProfile& official = LookupImage(NormalizeImage("tomcat:10"));
  auto l2 = StartupLog(official, info);
  CHECK(l2.back().text.find("Server startup in [2345] milliseconds") !=
        std::string::npos);
  auto nginx = StartupLog(LookupImage(NormalizeImage("nginx")), info);
  CHECK(nginx.front().text.rfind("/docker-entrypoint.sh:", 0) == 0);
}

TEST_CASE("application: tomcat names the pod; nginx 404s; redis PONGs",
          "[kubelet]") {
  ServeContext ctx;
  ctx.pod_name = "webapp-8554f77548-cbs6r";
  ctx.pod_ip = "10.244.140.119";
  HttpRequest req;
  const Application& tomcat =
      ApplicationFor(LookupImage(NormalizeImage("kubeguide/tomcat-app:v1")));
  HttpResponse r = tomcat.ServeHttp(ctx, req);
  CHECK(r.status == 200);
  CHECK(r.body.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
  CHECK(r.body.find("webapp-8554f77548-cbs6r") != std::string::npos);
  CHECK(r.body.find("10.244.140.119") != std::string::npos);
  const Application& nginx =
      ApplicationFor(LookupImage(NormalizeImage("nginx")));
  req.target = "/nope";
  CHECK(nginx.ServeHttp(ctx, req).status == 404);
  req.target = "/";
  CHECK(nginx.ServeHttp(ctx, req).body.find("Welcome to nginx!") !=
        std::string::npos);
  const Application& redis =
      ApplicationFor(LookupImage(NormalizeImage("redis")));
  CHECK_FALSE(redis.SpeaksHttp());
  CHECK(redis.ServeTcp(ctx, "PING\r\n") == "+PONG\r\n");
  ctx.forced_status = 503;
  CHECK(nginx.ServeHttp(ctx, req).status == 503);
}

TEST_CASE("overrides: Go durations both ways", "[kubelet]") {
  CHECK(ParseGoDuration("1m30s") == seconds(90));
  CHECK(ParseGoDuration("500ms") == milliseconds(500));
  CHECK(ParseGoDuration("7") == seconds(7));
  CHECK_FALSE(ParseGoDuration("soon"));
  CHECK(FormatGoDuration(seconds(10)) == "10s");
  CHECK(FormatGoDuration(seconds(300)) == "5m0s");
  CHECK(FormatGoDuration(milliseconds(1234)) == "1.234s");
  CHECK(FormatGoDuration(milliseconds(450)) == "450ms");
  CHECK(FormatGoDuration(seconds(3661)) == "1h1m1s");
}

TEST_CASE("ip pool: host-local order, gateway skipped, no quick reuse",
          "[kubelet]") {
  auto pool = IpPool::Create("10.244.1.0/24");
  REQUIRE(pool);
  CHECK(*pool->Allocate("a") == "10.244.1.2");
  CHECK(*pool->Allocate("b") == "10.244.1.3");
  pool->Release("10.244.1.2");
  CHECK(*pool->Allocate("c") == "10.244.1.4");
  auto tiny = IpPool::Create("10.0.0.0/30");
  REQUIRE(tiny);
  CHECK(*tiny->Allocate("a") == "10.0.0.2");
  CHECK_FALSE(tiny->Allocate("b"));
  CHECK_FALSE(IpPool::Create("bogus"));
}

}  // namespace
}  // namespace ksim::kubelet
