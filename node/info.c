/* info.c -- the INFO command: Redis 7.0 sections and field names.
 *
 * Owns: the INFO text generator, the memory accounting shared with MEMORY
 * STATS, and the replication id shown until a replication module owns one.
 * Every value printed is measured or is the truthful value for a feature
 * this node does not run (no fork in progress, no Lua, no cluster). */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "info.h"

#include "blocking.h"
#include "latency.h"
#include "pubsub.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "aof.h"
#include "client.h"
#include "command.h"
#include "lazyfree.h"
#include "loading.h"
#include "reply.h"
#include "persistence.h"
#include "server.h"
#include "stats.h"
#include "vg_alloc.h"

enum info_section {
    SEC_SERVER = 1 << 0,
    SEC_CLIENTS = 1 << 1,
    SEC_MEMORY = 1 << 2,
    SEC_PERSISTENCE = 1 << 3,
    SEC_STATS = 1 << 4,
    SEC_REPLICATION = 1 << 5,
    SEC_CPU = 1 << 6,
    SEC_MODULES = 1 << 7,
    SEC_COMMANDSTATS = 1 << 8,
    SEC_ERRORSTATS = 1 << 9,
    SEC_LATENCYSTATS = 1 << 10,
    SEC_CLUSTER = 1 << 11,
    SEC_KEYSPACE = 1 << 12,
};

#define SEC_DEFAULT                                                                                \
    (SEC_SERVER | SEC_CLIENTS | SEC_MEMORY | SEC_PERSISTENCE | SEC_STATS | SEC_REPLICATION |       \
     SEC_CPU | SEC_MODULES | SEC_ERRORSTATS | SEC_CLUSTER | SEC_KEYSPACE)
#define SEC_ALL (SEC_DEFAULT | SEC_COMMANDSTATS | SEC_LATENCYSTATS)

static const struct {
    const char *name;
    unsigned bits;
} section_names[] = {
    {"server", SEC_SERVER},
    {"clients", SEC_CLIENTS},
    {"memory", SEC_MEMORY},
    {"persistence", SEC_PERSISTENCE},
    {"stats", SEC_STATS},
    {"replication", SEC_REPLICATION},
    {"cpu", SEC_CPU},
    {"modules", SEC_MODULES},
    {"commandstats", SEC_COMMANDSTATS},
    {"errorstats", SEC_ERRORSTATS},
    {"latencystats", SEC_LATENCYSTATS},
    {"cluster", SEC_CLUSTER},
    {"keyspace", SEC_KEYSPACE},
    {"default", SEC_DEFAULT},
    {"all", SEC_ALL},
    {"everything", SEC_ALL},
};

static char master_replid[41];

const char *info_master_replid(void) {
    if (master_replid[0] == '\0') {
        static const char hex[] = "0123456789abcdef";
        for (int i = 0; i < 40; i += 16) {
            uint64_t r = server_random();
            for (int j = 0; j < 16 && i + j < 40; j++)
                master_replid[i + j] = hex[(r >> (j * 4)) & 15];
        }
        master_replid[40] = '\0';
    }
    return master_replid;
}

void info_bytes_human(char *dst, size_t cap, long long n) {
    static const char units[] = "KMGTPE";
    double d = (double)n;
    if (n < 1024) {
        snprintf(dst, cap, "%lldB", n);
        return;
    }
    int u = -1;
    while (d >= 1024 && u < 5) {
        d /= 1024;
        u++;
    }
    snprintf(dst, cap, "%.2f%c", d, units[u]);
}

static long long rss_bytes(void) {
    FILE *fp = fopen("/proc/self/statm", "r");
    long long size = 0, resident = 0;
    if (fp == NULL) return 0;
    if (fscanf(fp, "%lld %lld", &size, &resident) != 2) resident = 0;
    fclose(fp);
    return resident * sysconf(_SC_PAGESIZE);
}

static long long client_memory(const client *c) {
    return (long long)(sizeof(client) + c->query.cap + c->reply.cap + c->inflight.cap +
                       (size_t)c->argv_cap * sizeof(vg_slice));
}

void info_memory_measure(info_mem *m) {
    memset(m, 0, sizeof(*m));
    m->used = (long long)vg_used_memory();
    m->peak = server.stat_peak_memory > m->used ? server.stat_peak_memory : m->used;
    m->startup = server.stat_startup_memory;
    m->rss = rss_bytes();
    for (const client *c = server.clients; c; c = c->next) {
        if (c->flags & CLIENT_REPLICA)
            m->clients_replicas += client_memory(c);
        else
            m->clients_normal += client_memory(c);
    }
    for (long long i = 0; i < server.databases && server.dbs; i++) {
        const db *d = &server.dbs[i];
        m->hashtables +=
            (long long)(dict_buckets(&d->keys) * sizeof(void *) + d->volcap * sizeof(db_vol));
        m->keys += (long long)dict_size(&d->keys);
    }
    m->overhead = m->startup + m->clients_normal + m->clients_replicas + m->hashtables;
    m->dataset = m->used > m->overhead ? m->used - m->overhead : 0;
}

static void section_server(buf *out) {
    struct utsname u;
    uname(&u);
    char exe[1024];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    long long uptime = (server.now_ms - server.start_ms) / 1000;
    long long port = server.nlisteners ? stream_listener_port(server.listeners[0]) : server.port;
    buf_append_fmt(out,
                   "redis_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
                   "redis_build_id:%s\r\nredis_mode:standalone\r\nos:%s %s %s\r\n"
                   "arch_bits:%d\r\nmonotonic_clock:POSIX clock_gettime\r\n"
                   "multiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\n"
                   "gcc_version:%d.%d.%d\r\nprocess_id:%d\r\nprocess_supervised:no\r\n"
                   "run_id:%s\r\ntcp_port:%lld\r\nserver_time_usec:%lld\r\n"
                   "uptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\nhz:%lld\r\n"
                   "configured_hz:%lld\r\nlru_clock:%u\r\nexecutable:%s\r\nconfig_file:%s\r\n"
                   "io_threads_active:0\r\nvigil_version:%s\r\n",
                   REDIS_COMPAT_VERSION, "7669676e6f646531", u.sysname, u.release, u.machine,
                   (int)(sizeof(void *) * 8), __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
                   (int)getpid(), server.run_id, port, (long long)server.now_ms * 1000, uptime,
                   uptime / 86400, server.hz, server.hz, server_lru_clock(), exe,
                   server.config_file ? server.config_file : "", VIGIL_VERSION);
}

static void section_clients(buf *out) {
    long long normal = 0, blocked = 0;
    size_t max_in = 0, max_out = 0;
    for (const client *c = server.clients; c; c = c->next) {
        if (!(c->flags & CLIENT_REPLICA)) normal++;
        if (c->flags & CLIENT_BLOCKED) blocked++;
        if (c->query.cap > max_in) max_in = c->query.cap;
        if (client_output_bytes(c) > max_out) max_out = client_output_bytes(c);
    }
    blocked = blocking_count();
    buf_append_fmt(
        out,
        "connected_clients:%lld\r\ncluster_connections:0\r\nmaxclients:%lld\r\n"
        "client_recent_max_input_buffer:%zu\r\nclient_recent_max_output_buffer:%zu\r\n"
        "blocked_clients:%lld\r\ntracking_clients:0\r\nclients_in_timeout_table:%lld\r\n",
        normal, server.maxclients, max_in, max_out, blocked, blocked);
}

static const char *policy_name(int policy) {
    static const char *names[] = {"noeviction",      "allkeys-lru",  "allkeys-lfu",
                                  "allkeys-random",  "volatile-lru", "volatile-lfu",
                                  "volatile-random", "volatile-ttl"};
    return policy >= 0 && policy < (int)VG_ARRAY_LEN(names) ? names[policy] : "noeviction";
}

static double ratio(long long a, long long b) {
    return b ? (double)a / (double)b : 0;
}

static void section_memory(buf *out) {
    info_mem m;
    info_memory_measure(&m);
    struct mallinfo2 mi = mallinfo2();
    long long alloc = (long long)(mi.uordblks + mi.hblkhd);
    long long active = (long long)(mi.arena + mi.hblkhd);
    long long total_sys = (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    char h_used[32], h_rss[32], h_peak[32], h_sys[32], h_max[32];
    info_bytes_human(h_used, sizeof(h_used), m.used);
    info_bytes_human(h_rss, sizeof(h_rss), m.rss);
    info_bytes_human(h_peak, sizeof(h_peak), m.peak);
    info_bytes_human(h_sys, sizeof(h_sys), total_sys);
    info_bytes_human(h_max, sizeof(h_max), server.maxmemory);
    long long net = m.used - m.startup;
    buf_append_fmt(out,
                   "used_memory:%lld\r\nused_memory_human:%s\r\nused_memory_rss:%lld\r\n"
                   "used_memory_rss_human:%s\r\nused_memory_peak:%lld\r\n"
                   "used_memory_peak_human:%s\r\nused_memory_peak_perc:%.2f%%\r\n"
                   "used_memory_overhead:%lld\r\nused_memory_startup:%lld\r\n"
                   "used_memory_dataset:%lld\r\nused_memory_dataset_perc:%.2f%%\r\n"
                   "allocator_allocated:%lld\r\nallocator_active:%lld\r\n"
                   "allocator_resident:%lld\r\ntotal_system_memory:%lld\r\n"
                   "total_system_memory_human:%s\r\n",
                   m.used, h_used, m.rss, h_rss, m.peak, h_peak, ratio(m.used, m.peak) * 100,
                   m.overhead, m.startup, m.dataset, net > 0 ? ratio(m.dataset, net) * 100 : 0,
                   alloc, active, m.rss, total_sys, h_sys);
    buf_append_str(out, "used_memory_lua:0\r\nused_memory_vm_eval:0\r\nused_memory_lua_human:0B\r\n"
                        "used_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\n"
                        "number_of_functions:0\r\nnumber_of_libraries:0\r\n"
                        "used_memory_vm_functions:0\r\nused_memory_vm_total:0\r\n"
                        "used_memory_vm_total_human:0B\r\nused_memory_functions:0\r\n"
                        "used_memory_scripts:0\r\nused_memory_scripts_human:0B\r\n");
    buf_append_fmt(out,
                   "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n"
                   "allocator_frag_ratio:%.2f\r\nallocator_frag_bytes:%lld\r\n"
                   "allocator_rss_ratio:%.2f\r\nallocator_rss_bytes:%lld\r\n"
                   "rss_overhead_ratio:1.00\r\nrss_overhead_bytes:0\r\n"
                   "mem_fragmentation_ratio:%.2f\r\nmem_fragmentation_bytes:%lld\r\n"
                   "mem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n"
                   "mem_total_replication_buffers:0\r\nmem_clients_slaves:%lld\r\n"
                   "mem_clients_normal:%lld\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\n"
                   "mem_allocator:libc\r\nactive_defrag_running:0\r\n"
                   "lazyfree_pending_objects:%lld\r\nlazyfreed_objects:%lld\r\n",
                   server.maxmemory, h_max, policy_name(server.maxmemory_policy),
                   ratio(active, alloc), active - alloc, ratio(m.rss, active), m.rss - active,
                   ratio(m.rss, m.used), m.rss - m.used, m.clients_replicas, m.clients_normal,
                   lazyfree_pending(), lazyfree_freed());
}

/* Redis' order: the RDB's fields, the AOF's, the fork's, the AOF's own
 * when it is on, then the loading fields while a dataset loads. */
static void section_persistence(buf *out) {
    persist_info(out);
    aof_info_main(out);
    buf_append_fmt(out, "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
    aof_info_enabled(out);
    loading_info(out);
}

static void section_stats(buf *out) {
    long long channels = 0, patterns = 0;
    pubsub_counts(&channels, &patterns);
    buf_append_fmt(out,
                   "total_connections_received:%lld\r\ntotal_commands_processed:%lld\r\n"
                   "instantaneous_ops_per_sec:%lld\r\ntotal_net_input_bytes:%lld\r\n"
                   "total_net_output_bytes:%lld\r\ntotal_net_repl_input_bytes:0\r\n"
                   "total_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:%.2f\r\n"
                   "instantaneous_output_kbps:%.2f\r\ninstantaneous_input_repl_kbps:0.00\r\n"
                   "instantaneous_output_repl_kbps:0.00\r\nrejected_connections:%lld\r\n"
                   "sync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n"
                   "expired_keys:%lld\r\nexpired_stale_perc:0.00\r\n"
                   "expired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:0\r\n"
                   "evicted_keys:%lld\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\n"
                   "current_eviction_exceeded_time:0\r\nkeyspace_hits:%lld\r\n"
                   "keyspace_misses:%lld\r\npubsub_channels:%lld\r\npubsub_patterns:%lld\r\n"
                   "pubsubshard_channels:0\r\n",
                   server.stat_numconnections, server.stat_numcommands,
                   (long long)server_instantaneous(server.inst_cmd_samples),
                   server.stat_net_input_bytes, server.stat_net_output_bytes,
                   server_instantaneous(server.inst_in_samples) / 1024,
                   server_instantaneous(server.inst_out_samples) / 1024, server.stat_rejected_conn,
                   server.keyspace.expired, server.keyspace.evicted, server.keyspace.hits,
                   server.keyspace.misses, channels, patterns);
    buf_append_fmt(out,
                   "latest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n"
                   "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\n"
                   "active_defrag_misses:0\r\nactive_defrag_key_hits:0\r\n"
                   "active_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
                   "current_active_defrag_time:0\r\ntracking_total_keys:0\r\n"
                   "tracking_total_items:0\r\ntracking_total_prefixes:0\r\n"
                   "unexpected_error_replies:%lld\r\ntotal_error_replies:%lld\r\n"
                   "dump_payload_sanitizations:0\r\ntotal_reads_processed:%lld\r\n"
                   "total_writes_processed:%lld\r\nio_threaded_reads_processed:0\r\n"
                   "io_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\n"
                   "reply_buffer_expands:0\r\nclient_query_buffer_limit_disconnections:%lld\r\n"
                   "client_output_buffer_limit_disconnections:%lld\r\n",
                   server.stat_unexpected_error_replies, server.stat_total_error_replies,
                   server.stat_total_reads, server.stat_total_writes,
                   server.stat_client_qbuf_limit_disconnections,
                   server.stat_client_outbuf_limit_disconnections);
}

static void section_replication(buf *out) {
    long long replicas = 0;
    for (const client *c = server.clients; c; c = c->next)
        if (c->flags & CLIENT_REPLICA) replicas++;
    buf_append_fmt(out,
                   "role:master\r\nconnected_slaves:%lld\r\nmaster_failover_state:no-failover\r\n"
                   "master_replid:%s\r\n"
                   "master_replid2:0000000000000000000000000000000000000000\r\n"
                   "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
                   "repl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\n"
                   "repl_backlog_histlen:0\r\n",
                   replicas, info_master_replid());
}

static void section_cpu(buf *out) {
    struct rusage self, children, thread;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    getrusage(RUSAGE_THREAD, &thread);
    buf_append_fmt(out,
                   "used_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\n"
                   "used_cpu_sys_children:%ld.%06ld\r\nused_cpu_user_children:%ld.%06ld\r\n"
                   "used_cpu_sys_main_thread:%ld.%06ld\r\nused_cpu_user_main_thread:%ld.%06ld\r\n",
                   (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec,
                   (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
                   (long)children.ru_stime.tv_sec, (long)children.ru_stime.tv_usec,
                   (long)children.ru_utime.tv_sec, (long)children.ru_utime.tv_usec,
                   (long)thread.ru_stime.tv_sec, (long)thread.ru_stime.tv_usec,
                   (long)thread.ru_utime.tv_sec, (long)thread.ru_utime.tv_usec);
}

static void cmdstat_line(buf *out, const command *cmd) {
    if (cmd->calls == 0 && cmd->failed_calls == 0 && cmd->rejected_calls == 0) return;
    buf_append_fmt(out,
                   "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
                   "failed_calls=%lld\r\n",
                   cmd->fullname, cmd->calls, cmd->usec,
                   cmd->calls ? (double)cmd->usec / (double)cmd->calls : 0.0, cmd->rejected_calls,
                   cmd->failed_calls);
}

static void section_commandstats(buf *out) {
    for (size_t i = 0; i < command_count(); i++) {
        const command *cmd = command_at(i);
        cmdstat_line(out, cmd);
        if (cmd->subcommands)
            for (const command *sub = cmd->subcommands; sub->name; sub++)
                cmdstat_line(out, sub);
    }
}

static void section_keyspace(buf *out) {
    for (long long i = 0; i < server.databases && server.dbs; i++) {
        const db *d = &server.dbs[i];
        size_t keys = dict_size(&d->keys);
        if (keys == 0) continue;
        buf_append_fmt(out, "db%lld:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, keys, d->nvol,
                       d->avg_ttl);
    }
}

typedef struct section_def {
    unsigned bit;
    const char *title;
    void (*render)(buf *out);
} section_def;

static void section_modules(buf *out) {
    (void)out;
}

static void section_errorstats(buf *out) {
    stats_errorstats_info(out);
}

static void section_cluster(buf *out) {
    buf_append_str(out, "cluster_enabled:0\r\n");
}

/* Latency percentiles are not tracked, so the section is present and empty. */
static const section_def sections[] = {
    {SEC_SERVER, "Server", section_server},
    {SEC_CLIENTS, "Clients", section_clients},
    {SEC_MEMORY, "Memory", section_memory},
    {SEC_PERSISTENCE, "Persistence", section_persistence},
    {SEC_STATS, "Stats", section_stats},
    {SEC_REPLICATION, "Replication", section_replication},
    {SEC_CPU, "CPU", section_cpu},
    {SEC_MODULES, "Modules", section_modules},
    {SEC_COMMANDSTATS, "Commandstats", section_commandstats},
    {SEC_ERRORSTATS, "Errorstats", section_errorstats},
    {SEC_LATENCYSTATS, "Latencystats", latency_info_percentiles},
    {SEC_CLUSTER, "Cluster", section_cluster},
    {SEC_KEYSPACE, "Keyspace", section_keyspace},
};

static unsigned section_bits(const vg_slice *names, int n) {
    if (n == 0) return SEC_DEFAULT;
    unsigned bits = 0;
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < VG_ARRAY_LEN(section_names); j++)
            if (strcasecmp(names[i].ptr, section_names[j].name) == 0) bits |= section_names[j].bits;
    return bits;
}

void info_render(buf *out, const vg_slice *names, int n) {
    unsigned bits = section_bits(names, n);
    int emitted = 0;
    for (size_t i = 0; i < VG_ARRAY_LEN(sections); i++) {
        if (!(bits & sections[i].bit)) continue;
        if (emitted++) buf_append_str(out, "\r\n");
        buf_append_fmt(out, "# %s\r\n", sections[i].title);
        sections[i].render(out);
    }
}

static void cmd_info(client *c) {
    buf out;
    buf_init(&out);
    info_render(&out, c->argv + 1, c->argc - 1);
    reply_verbatim(c, out.data ? out.data : "", out.len, "txt");
    buf_free(&out);
}

static command info_commands[] = {
    {.name = "info",
     .proc = cmd_info,
     .arity = -1,
     .flags = CMD_LOADING | CMD_STALE | CMD_SENTINEL,
     .acl_cats = "@slow @dangerous",
     .summary = "Get information and statistics about the server",
     .since = "1.0.0",
     .group = "server"},
};
COMMAND_TABLE(info_commands)
