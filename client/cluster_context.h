// What every simulated component (controllers, scheduler, kubelets, netsim)
// is given: the loop it runs on, the clock and seeded Rng, its API client and
// the shared informers. Plain pointers; the cluster owns them all and
// outlives the components.
#ifndef KSIM_CLIENT_CLUSTER_CONTEXT_H_
#define KSIM_CLIENT_CLUSTER_CONTEXT_H_

#include "base/clock.h"
#include "base/event_loop.h"
#include "base/rng.h"
#include "client/client.h"
#include "client/informer.h"

namespace ksim::client {

struct ClusterContext {
  base::EventLoop* loop = nullptr;
  const base::Clock* clock = nullptr;
  base::Rng* rng = nullptr;
  // Writes as the component's own field manager; see InProcessClient.
  Client* client = nullptr;
  InformerFactory* informers = nullptr;
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_CLUSTER_CONTEXT_H_
