package org.obpf.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.obpf.api.Errno;
import org.obpf.api.obj.LoadException;

/** Real objects using features the loader does not support: each refused with the feature, section and instruction named. */
class RejectedCorpusTest {

    @Test
    void everyRejectedObjectHasACase() {
        assertEquals(List.of("core_relo", "kconfig_extern", "kfunc_call", "static_program", "unknown_section"), Corpus.rejectedNames());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        core_relo       | kprobe/do_unlinkat           | 0 | CO-RE relocation (field byte offset) against BTF type [2] 'task_like' is not supported: it needs the target kernel's BTF (BPF_CORE_READ, bpf_core_*)
        kconfig_extern  | xdp                          | 0 | extern variable (.kconfig) 'LINUX_KERNEL_VERSION' is not supported
        kfunc_call      | tp/syscalls/sys_enter_getpid | 0 | call to extern function 'bpf_rcu_read_lock' (kfunc) is not supported
        static_program  | xdp                          | 0 | program 'hidden' is static: entry programs must be global functions
        unknown_section | my_hook                      | 0 | program 'mystery': section name 'my_hook' names no program type (xdp, socket, tc, classifier, kprobe/..., tracepoint/..., raw_tp/..., cgroup_skb/ingress, ...)
        """)
    void refusedWithTheFeatureNamed(String name, String section, int insn, String problem) {
        LoadException e = assertThrows(LoadException.class,
                () -> new ElfObjectLoader().load(name + ".o", Corpus.object("rejected/" + name)));
        assertEquals(name + ".o: section '" + section + "' instruction " + insn + ": " + problem, e.getMessage());
        assertEquals(Errno.ENOTSUPP, e.errno());
        assertEquals(Optional.of(section), e.section());
        assertEquals(OptionalInt.of(insn), e.instruction());
    }
}
