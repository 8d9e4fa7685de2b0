package org.obpf.loader.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Section names to program type, expected attach type and sleepable, as libbpf's section_defs match them. */
class SectionDefsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        socket                              | SOCKET_FILTER           | -                       | false
        socket/extra                        | -                       | -                       | false
        xdp                                 | XDP                     | XDP                     | false
        xdp/devmap                          | XDP                     | XDP_DEVMAP              | false
        xdp.frags                           | XDP                     | XDP                     | false
        xdp.frags/cpumap                    | XDP                     | XDP_CPUMAP              | false
        xdp_foo                             | -                       | -                       | false
        tc                                  | SCHED_CLS               | -                       | false
        tc/ingress                          | SCHED_CLS               | TCX_INGRESS             | false
        classifier                          | SCHED_CLS               | -                       | false
        action                              | SCHED_ACT               | -                       | false
        kprobe                              | KPROBE                  | -                       | false
        kprobe/do_sys_open                  | KPROBE                  | -                       | false
        kprobex                             | -                       | -                       | false
        kretprobe/do_sys_open               | KPROBE                  | -                       | false
        kprobe.multi/tcp_*                  | KPROBE                  | TRACE_KPROBE_MULTI      | false
        uprobe.s/libc.so:malloc             | KPROBE                  | -                       | true
        tracepoint/syscalls/sys_enter_open  | TRACEPOINT              | -                       | false
        tp/sched/sched_switch               | TRACEPOINT              | -                       | false
        raw_tp/sys_enter                    | RAW_TRACEPOINT          | -                       | false
        raw_tracepoint/sys_exit             | RAW_TRACEPOINT          | -                       | false
        raw_tp.w/bpf_test_finish            | RAW_TRACEPOINT_WRITABLE | -                       | false
        tp_btf/sched_switch                 | TRACING                 | TRACE_RAW_TP            | false
        fentry/do_unlinkat                  | TRACING                 | TRACE_FENTRY            | false
        fexit.s/do_unlinkat                 | TRACING                 | TRACE_FEXIT             | true
        freplace/handler                    | EXT                     | -                       | false
        lsm/file_open                       | LSM                     | LSM_MAC                 | false
        iter/task                           | TRACING                 | TRACE_ITER              | false
        syscall                             | SYSCALL                 | -                       | true
        perf_event                          | PERF_EVENT              | -                       | false
        sockops                             | SOCK_OPS                | CGROUP_SOCK_OPS         | false
        sk_skb/stream_parser                | SK_SKB                  | SK_SKB_STREAM_PARSER    | false
        sk_skb                              | SK_SKB                  | -                       | false
        sk_msg                              | SK_MSG                  | SK_MSG_VERDICT          | false
        cgroup_skb/ingress                  | CGROUP_SKB              | CGROUP_INET_INGRESS     | false
        cgroup_skb/egress                   | CGROUP_SKB              | CGROUP_INET_EGRESS      | false
        cgroup/skb                          | CGROUP_SKB              | -                       | false
        cgroup/sock                         | CGROUP_SOCK             | CGROUP_INET_SOCK_CREATE | false
        cgroup/sock_release                 | CGROUP_SOCK             | CGROUP_INET_SOCK_RELEASE| false
        cgroup/connect4                     | CGROUP_SOCK_ADDR        | CGROUP_INET4_CONNECT    | false
        cgroup/dev                          | CGROUP_DEVICE           | CGROUP_DEVICE           | false
        cgroup/sysctl                       | CGROUP_SYSCTL           | CGROUP_SYSCTL           | false
        struct_ops/tcp_init                 | STRUCT_OPS              | -                       | false
        sk_lookup                           | SK_LOOKUP               | SK_LOOKUP               | false
        netfilter                           | NETFILTER               | NETFILTER               | false
        flow_dissector                      | FLOW_DISSECTOR          | FLOW_DISSECTOR          | false
        lwt_xmit                            | LWT_XMIT                | -                       | false
        .text                               | -                       | -                       | false
        """)
    void mapsLikeLibbpf(String section, String type, String attach, boolean sleepable) {
        var def = SectionDefs.find(section);
        assertEquals(type, def.map(d -> d.type().name()).orElse(null), section);
        assertEquals(attach, def.map(d -> d.attach() == null ? null : d.attach().name()).orElse(null), section);
        assertEquals(sleepable, def.map(SectionDefs.SecDef::sleepable).orElse(false), section);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
        global_data     | .rodata                       | global_d.rodata
        global_data     | .data                         | global_d.data
        global_data     | .bss                          | global_d.bss
        a               | .data                         | a.data
        my-prog         | .bss                          | my_prog.bss
        global_data     | .rodata.str1.1                | .rodata.str1.1
        x               | .data.very_long_custom_name   | .data.very_long
        """)
    void internalMapNamesLikeLibbpf(String object, String section, String expected) {
        assertEquals(expected, ObjectReader.internalMapName(object, section));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        prog.o                  | prog
        /tmp/dir/xdp.bpf.o      | xdp
        noext                   | noext
        C:\\objs\\tc.o          | tc
        """)
    void objectNameIsTheFileNameUpToItsFirstDot(String path, String expected) {
        assertEquals(expected, ObjectReader.objectName(path));
    }
}
