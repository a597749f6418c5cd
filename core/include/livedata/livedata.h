// The public header of livedata's core data layer: include this one.
#pragma once

#include "livedata/cache.h"
#include "livedata/client.h"
#include "livedata/config.h"
#include "livedata/endpoints.h"
#include "livedata/errors.h"
#include "livedata/event_stream.h"
#include "livedata/events.h"
#include "livedata/fallback.h"
#include "livedata/flight.h"
#include "livedata/freshness.h"
#include "livedata/http_policy.h"
#include "livedata/live_feed.h"
#include "livedata/retry.h"
#include "livedata/types.h"
