// The public header of livedata's native adapter: include this one.
#pragma once

#include "livedata_native/blocking.h"
#include "livedata_native/httplib_stream_transport.h"
#include "livedata_native/httplib_transport.h"
#include "livedata_native/native_dependencies.h"
#include "livedata_native/system_clock.h"
#include "livedata_native/thread_scheduler.h"
