/* One rented machine as the provider reports it (vast.ai `GET /api/v0/instances/{id}/` and the
 * v1 list), parsed garbage-tolerantly: a missing or mistyped field is "unknown", never a crash. */
#ifndef GPUWARDEN_INSTANCE_H
#define GPUWARDEN_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct cJSON;

#define INSTANCE_MAX_PORTS 16

/* A container port and where it is reachable from outside (vast `ports`, present only while
 * running): "8000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "43487"}]. */
struct instance_port {
    int container; /* 8000 */
    int host;      /* 43487 */
};

/* Unknown numbers are NAN, unknown strings "", unknown ints 0. */
struct instance {
    int64_t id;
    char label[128];
    char actual_status[24];   /* null, created, loading, running, stopped, exited, unknown, ... */
    char intended_status[24]; /* running, stopped, frozen */
    char cur_state[24];
    char status_msg[256]; /* newlines flattened to spaces */
    char image[256];      /* image_uuid */
    char gpu_name[48];
    int num_gpus;
    double gpu_ram_mib; /* per GPU: gpu_totalram / num_gpus, else gpu_ram */
    double dph_total;
    double disk_space;  /* GB */
    double start_date;  /* unix seconds */
    double uptime_mins; /* NAN when not reported */
    char geolocation[48];
    char public_ipaddr[64]; /* trailing whitespace removed */
    char ssh_host[128];
    int ssh_port;
    bool jupyter_runtype; /* "jupyter" in image_runtype: the proxy ssh port is ssh_port + 1 */
    struct instance_port ports[INSTANCE_MAX_PORTS];
    size_t nports;
};

struct instance_list {
    struct instance *items;
    size_t count, cap;
};

/* Fills `in` from one instance object; false when it has no usable id. */
bool instance_from_json(const struct cJSON *obj, struct instance *in);

/* Parses a show body `{"instances": {...}}`. Returns 1 with *in filled, 0 when the provider says
 * it does not exist (`"instances": null`), -1 with err (kind EXIT_PROVIDER) on malformed text. */
int instance_parse_show(const char *text, size_t len, struct instance *in, struct gw_error *err);

/* Parses one v1 list page `{"instances": [...], "next_token": ...}`, appending to `out`.
 * next_token (size bytes) is set to the token, "" at the end. -1 with err on malformed text. */
int instance_parse_page(const char *text, size_t len, struct instance_list *out, char *next_token,
                        size_t size, struct gw_error *err);

void instance_list_free(struct instance_list *l);

/* Where to SSH, as the official CLI does: ports["22/tcp"] on public_ipaddr (direct), else
 * ssh_host:ssh_port (+1 for jupyter runtypes). false when the instance has neither yet. */
bool instance_ssh_address(const struct instance *in, char *host, size_t size, int *port);

/* The host port mapped to container port `container`, or 0 when none is mapped. */
int instance_port_for(const struct instance *in, int container);

#endif
