package org.obpf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.obpf.api.BpfException;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;
import org.obpf.api.insn.Insn;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.Interpreter;
import org.obpf.core.interp.Program;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.MapTable;
import org.obpf.core.prelink.Prelinker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Map lookups per second: the map operation itself ({@code lookupElem}, what
 * {@code bpf_map_lookup_elem} runs) and a whole program run on the interpreter that looks up one
 * key (a helper call for hash maps, the inlined {@code array_map_gen_lookup} for arrays). The
 * maps are shared by all benchmark threads: run with {@code -t 1} and {@code -t 2}.
 *
 * <pre>java -jar bench/target/benchmarks.jar MapBench -t 2</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapBench {
    static final int KEYS = 1024;

    @State(Scope.Benchmark)
    public static class Maps {
        MapTable table;
        AbstractBpfMap array;
        AbstractBpfMap hash;
        int arrayFd;
        int hashFd;

        @Setup(Level.Trial)
        public void setup() throws BpfException {
            table = new MapTable();
            arrayFd = table.create(new MapSpec("array", MapType.ARRAY, 4, 8, KEYS, 0));
            hashFd = table.create(new MapSpec("hash", MapType.HASH, 4, 8, KEYS, 0));
            array = table.get(arrayFd);
            hash = table.get(hashFd);
            for (int k = 0; k < KEYS; k++) {
                byte[] key = {(byte) k, (byte) (k >> 8), 0, 0};
                hash.update(key, new byte[8], 0);
            }
        }
    }

    @State(Scope.Thread)
    public static class PerThread {
        Arena arena;
        MemorySegment key;
        int next;
        Interpreter vm;
        Program arrayProgram;
        Program hashProgram;

        @Setup(Level.Trial)
        public void setup(Maps maps) throws Exception {
            arena = Arena.ofConfined();
            key = arena.allocate(4, 4);
            vm = new Interpreter();
            arrayProgram = program(maps, maps.arrayFd);
            hashProgram = program(maps, maps.hashFd);
        }

        /** r0 = *lookup(map, &(r1 & 1023)). The key index comes in r1 (the flat type's memory pointer slot). */
        private static Program program(Maps maps, int fd) throws Exception {
            long[] p = Assembler.assemble("""
                    and %r1, 1023
                    stxw [%r10-4], %r1
                    mov %r2, %r10
                    add %r2, -4
                    lddw %r1, 0
                    call 1
                    jeq %r0, 0, +1
                    ldxdw %r0, [%r0]
                    exit
                    """);
            p[4] = Insn.encode(0x18, 1, 1, 0, fd); // lddw r1, map fd (BPF_PSEUDO_MAP_FD)
            return Prelinker.prelink(p, ProgramType.FLAT, maps.table::get, HelperTable.builtins(), Prelinker.Options.DEFAULT)
                    .toInterpreter();
        }

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }

        MemorySegment nextKey() {
            key.set(ValueLayout.JAVA_INT, 0, next++ & (KEYS - 1));
            return key;
        }
    }

    @Benchmark
    public long arrayLookupElem(Maps maps, PerThread t) {
        return maps.array.lookupElem(t.nextKey());
    }

    @Benchmark
    public long hashLookupElem(Maps maps, PerThread t) {
        return maps.hash.lookupElem(t.nextKey());
    }

    @Benchmark
    public long arrayLookupProgram(PerThread t) throws Exception {
        return t.vm.run(t.arrayProgram, t.next++, 0, 0, 0, 0, null, false);
    }

    @Benchmark
    public long hashLookupProgram(PerThread t) throws Exception {
        return t.vm.run(t.hashProgram, t.next++, 0, 0, 0, 0, null, false);
    }
}
