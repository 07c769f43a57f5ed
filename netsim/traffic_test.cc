#include "netsim/traffic.h"

#include <catch2/catch.hpp>

namespace ksim::netsim {
namespace {

// Answers every exchange 30 ms later; every third is refused.
class FakeGateway : public apiserver::NetGateway {
 public:
  explicit FakeGateway(base::EventLoop* loop) : loop_(loop) {}
  void Exchange(apiserver::NetRequest request,
                std::function<void(apiserver::NetResponse)> done) override {
    int n = ++calls;
    last = request;
    loop_->PostDelayed(std::chrono::milliseconds(30), [n, done] {
      apiserver::NetResponse r;
      if (n % 3 == 0) {
        r.curl_code = 7;
        r.error = "refused";
      } else {
        r.status = 200;
        r.endpoint = n % 2 ? "10.244.1.2:80" : "10.244.2.2:80";
      }
      r.elapsed_seconds = 0.03;
      done(r);
    });
  }
  base::StatusOr<base::Json> AddFault(const base::Json&) override {
    return base::Json();
  }
  base::StatusOr<base::Json> ListFaults() override { return base::Json(); }
  base::Status RemoveFault(const std::string&) override { return {}; }
  std::string Metrics() override { return ""; }

  int calls = 0;
  apiserver::NetRequest last;

 private:
  base::EventLoop* loop_;
};

TEST_CASE("traffic: a steady rate, every outcome kept", "[netsim]") {
  base::VirtualClock clock(base::Time(std::chrono::seconds(1'700'000'000)));
  auto loop = base::EventLoop::NewVirtual(&clock);
  FakeGateway gw(loop.get());
  TrafficOptions o;
  o.source = "pod/default/client";
  o.url = "http://web/";
  o.rate = 20;
  o.duration = std::chrono::seconds(3);
  o.connect_timeout_seconds = 1;
  TrafficClient t(loop.get(), &gw, o);
  base::Time start = loop->Now();
  t.Start();
  CHECK_FALSE(t.finished());
  REQUIRE(loop->RunUntilCondition([&] { return t.finished(); },
                                  loop->Now() + std::chrono::seconds(10)));
  CHECK(gw.calls == 60);
  CHECK(gw.last.source == "pod/default/client");
  CHECK(gw.last.connect_timeout_seconds == 1);
  const auto& s = t.samples();
  REQUIRE(s.size() == 60);
  CHECK(s[0].sent == start);
  CHECK(s[1].sent - s[0].sent == std::chrono::milliseconds(50));
  CHECK(s[59].done - s[59].sent == std::chrono::milliseconds(30));
  TrafficSummary sum = t.Summary();
  CHECK(sum.sent == 60);
  CHECK(sum.answered == 60);
  CHECK(sum.failed == 20);
  CHECK(sum.ok == 40);
  CHECK(sum.by_curl_code.at(7) == 20);
  CHECK(sum.by_endpoint.size() == 2);
}

TEST_CASE("traffic: Stop sends nothing more", "[netsim]") {
  base::VirtualClock clock(base::Time(std::chrono::seconds(1'700'000'000)));
  auto loop = base::EventLoop::NewVirtual(&clock);
  FakeGateway gw(loop.get());
  TrafficOptions o;
  o.url = "http://web/";
  o.rate = 10;
  o.duration = std::chrono::seconds(10);
  TrafficClient t(loop.get(), &gw, o);
  t.Start();
  loop->RunFor(std::chrono::milliseconds(950));  // sends 0 ... 9
  t.Stop();
  loop->RunFor(std::chrono::seconds(20));
  CHECK(gw.calls == 10);
  CHECK(t.finished());
  CHECK(t.Summary().sent == 10);
  CHECK(t.Summary().answered == 10);
}

}  // namespace
}  // namespace ksim::netsim
