package org.obpf.core.offload;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.offload.FirmwareAtomics;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.conformance.Engine;

/**
 * The conformance suite on an offload device, by dynamic offload: each program compiled by the
 * back-end for the device's arch, sent as a relocatable image, relocated and loaded by the
 * device's own loader, run once with the test's memory, then unloaded. The back-end is asked for
 * the device's {@link org.obpf.api.offload.DeviceInfo#jitExtensions()}. The engine is named after
 * the device.
 */
public final class DeviceEngine implements Engine {
    private final OffloadDevice device;
    private final JitBackend backend;

    public DeviceEngine(OffloadDevice device, JitBackend backend) {
        if (!device.arch().equals(backend.arch())) {
            throw new IllegalArgumentException("device " + device.name() + " runs " + device.arch() + " code, the back-end makes " + backend.arch());
        }
        this.device = device;
        this.backend = backend;
    }

    @Override
    public String name() {
        return device.name();
    }

    /**
     * The RFC 9669 groups less the atomic ones that neither the back-end's capabilities nor the
     * device's firmware atomic routines ({@link FirmwareAtomics}) cover, or that the device's own
     * check refuses.
     */
    @Override
    public Set<String> groups() {
        Set<String> g = new TreeSet<>(RFC9669_GROUPS);
        boolean fw = FirmwareAtomics.providedBy(device.info());
        if (!(fw || backend.capabilities().supports(Feature.ATOMIC64)) || refuses(0xdbL)) g.remove("atomic64");
        if (!(fw || backend.capabilities().supports(Feature.ATOMIC32)) || refuses(0xc3L)) g.remove("atomic32");
        return g;
    }

    /** Whether the device refuses a program made of {@code insn} (an atomic add) and exit. */
    private boolean refuses(long insn) {
        var c = new org.obpf.api.offload.OffloadCandidate("probe", ProgramType.XDP, new long[] {insn, 0x95L}, List.of());
        return device.check(c).reasons().stream().anyMatch(r -> r.kind() == org.obpf.api.jit.Refusal.Kind.INSTRUCTION);
    }

    /**
     * Refuses, with the device's reasons, what the device says it cannot take (it would not run
     * it right); its missing back-end is not one, since this engine brings one.
     */
    @Override
    public long run(long[] program, byte[] memory) throws BpfException {
        List<org.obpf.api.jit.Refusal> reasons = device.check(new org.obpf.api.offload.OffloadCandidate("conformance",
                ProgramType.XDP, program, List.of())).reasons().stream()
                .filter(r -> r.kind() != org.obpf.api.jit.Refusal.Kind.NO_BACKEND).toList();
        if (!reasons.isEmpty()) throw new org.obpf.api.offload.OffloadException(device.name(), reasons);
        RelocatableImage image;
        try {
            image = backend.compile(new CompileRequest("conformance", ProgramType.XDP, program, null, null, false,
                    CompileOptions.DEFAULT.withExtensions(device.info().jitExtensions())));
        } catch (JitException e) {
            throw new BpfException(Errno.EINVAL, e.getMessage(), e);
        }
        try (DeviceProgram p = device.load(new DeviceImage.Dynamic("conformance", ProgramType.XDP, image, List.of()))) {
            return p.runWithMemory(memory);
        }
    }

    /**
     * One engine per {@link OffloadDevice} found with {@link ServiceLoader} for which a back-end of
     * its arch is found the same way (the RFPC jar provides {@code rfpc}, with jit-riscv's riscv32).
     */
    public static Map<String, Supplier<Engine>> discover(ClassLoader loader) {
        Map<String, Supplier<Engine>> m = new TreeMap<>();
        Map<String, JitBackend> backends = new HashMap<>();
        for (var p : ServiceLoader.load(JitBackend.class, loader).stream().toList()) {
            try {
                JitBackend b = p.get();
                backends.putIfAbsent(b.arch(), b);
            } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                // a broken provider is not a back-end
            }
        }
        for (var p : ServiceLoader.load(OffloadDevice.class, loader).stream().toList()) {
            OffloadDevice d;
            try {
                d = p.get();
            } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                continue;
            }
            JitBackend b = backends.get(d.arch());
            if (b != null) m.putIfAbsent(d.name(), () -> new DeviceEngine(d, b));
        }
        return m;
    }
}
