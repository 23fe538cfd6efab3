// abrkit.h must compile as C++ with warnings as errors (TestHeaderCXX).
#include "abrkit.h"

static void on_event(abrkit_handle, const abrkit_event *ev, void *user) {
    *static_cast<int *>(user) += ev->kind;
}

int main() {
    abrkit_player_config cfg = ABRKIT_PLAYER_CONFIG_INIT;
    abrkit_status st = ABRKIT_STATUS_INIT;
    abrkit_qoe q = ABRKIT_QOE_INIT;
    abrkit_event_fn fn = on_event;
    int n = 0;
    abrkit_event ev = abrkit_event();
    fn(0, &ev, &n);
    return static_cast<int>(cfg.size + st.size + q.size) + n == 0;
}
