package org.obpf.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.obpf.api.BpfException;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.prog.ProgramType;
import org.obpf.jit.riscv.Rv32JitBackend;
import org.obpf.offload.rfpc.RfpcConfig;
import org.obpf.offload.rfpc.RfpcDevice;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Load time of one program onto a simulated RFPC (offload-rfpc), per offload flow, for an image
 * the riscv32 back-end already compiled (compile time is CompileBench's): static = reserve code
 * memory, link by the host against device addresses, load as is; dynamic = encode the image with
 * its relocation header, the device's loader parses it, picks a base, relocates, loads. Both
 * include decoding into the simulator's predecoded form and the unload that follows.
 *
 * <pre>java -jar bench/target/benchmarks.jar RfpcLoadBench</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RfpcLoadBench {
    private final Rv32JitBackend rv32 = new Rv32JitBackend();
    private RfpcDevice device;
    private RelocatableImage image;
    private List<DeviceMap> maps;

    @Setup
    public void setup() throws BpfException, JitException {
        device = new RfpcDevice(RfpcConfig.small("bench"));
        maps = List.of(device.createMap(new MapSpec("counters", MapType.ARRAY, 4, 8, 16, 0)));
        image = rv32.compile(new CompileRequest("bubbleSort", ProgramType.XDP, Programs.bubbleSort(64), null, null, false,
                CompileOptions.DEFAULT));
    }

    /** The image's size and relocation count, for reading the figures. */
    public String describe() {
        return image.toString();
    }

    @Benchmark
    public long staticFlow() throws BpfException, LinkException {
        long at = device.reserveCode(image.size());
        try (DeviceProgram p = device.load(new DeviceImage.Static("s", rv32.link(image, device.symbols(at, image, maps))))) {
            return p.loadAddress();
        }
    }

    @Benchmark
    public long dynamicFlow() throws BpfException {
        try (DeviceProgram p = device.load(new DeviceImage.Dynamic("d", ProgramType.XDP, image, maps))) {
            return p.loadAddress();
        }
    }
}
