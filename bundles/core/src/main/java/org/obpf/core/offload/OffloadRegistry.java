package org.obpf.core.offload;

import static org.obpf.api.insn.Opcodes.BPF_CALL;
import static org.obpf.api.insn.Opcodes.BPF_HELPER_CALL;
import static org.obpf.api.insn.Opcodes.BPF_JMP;
import static org.obpf.api.insn.Opcodes.isLdImm64;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitRegistry;
import org.obpf.api.jit.Refusal;
import org.obpf.api.map.MapSpec;
import org.obpf.api.offload.DeviceInfo;
import org.obpf.api.offload.FirmwareAtomics;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.offload.OffloadQuery;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offload query: every {@link OffloadDevice} service by its {@code bpf.offload.dev} name,
 * and the combined answer of device and back-end to "can this program go there".
 */
@Component(service = OffloadQuery.class, immediate = true)
public final class OffloadRegistry implements OffloadQuery {
    private static final Logger LOG = LoggerFactory.getLogger(OffloadRegistry.class);

    private final JitRegistry jits;
    private final Map<String, OffloadDevice> devices = new ConcurrentSkipListMap<>();

    @Activate
    public OffloadRegistry(@Reference JitRegistry jits) {
        this.jits = jits;
    }

    @Reference(service = OffloadDevice.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "removeDevice")
    public void addDevice(OffloadDevice device, Map<String, Object> props) {
        Object name = props.get(OffloadDevice.DEV);
        if (!(name instanceof String n) || !n.equals(device.name())) {
            LOG.error("offload device {} registered with {}={}; it must equal its name(); ignored",
                    device.name(), OffloadDevice.DEV, name);
            return;
        }
        if (devices.putIfAbsent(n, device) != null) {
            LOG.error("offload device name {} is already taken; the second device is ignored", n);
            return;
        }
        LOG.info("offload device arrived: {} (arch {})", n, device.arch());
    }

    public void removeDevice(OffloadDevice device, Map<String, Object> props) {
        // By identity: another service object may carry an equal value.
        boolean[] removed = {false};
        devices.computeIfPresent(device.name(), (k, v) -> {
            if (v != device) return v;
            removed[0] = true;
            return null;
        });
        if (removed[0]) LOG.info("offload device departed: {}", device.name());
    }

    @Override
    public List<DeviceInfo> devices() {
        List<DeviceInfo> infos = new ArrayList<>();
        for (OffloadDevice d : devices.values()) infos.add(d.info());
        return infos;
    }

    @Override
    public Optional<OffloadDevice> device(String name) {
        return Optional.ofNullable(devices.get(name));
    }

    @Override
    public OffloadCheck check(String name, OffloadCandidate c) {
        OffloadDevice dev = devices.get(name);
        if (dev == null) {
            return new OffloadCheck(name, List.of(new Refusal(Refusal.Kind.NO_DEVICE, -1,
                    "no offload device '" + name + "' (devices: "
                            + (devices.isEmpty() ? "none" : String.join(", ", devices.keySet())) + ")")));
        }
        Set<Refusal> reasons = new LinkedHashSet<>();
        DeviceInfo info = dev.info();
        Optional<JitBackend> backend = jits.find(info.arch());
        if (backend.isEmpty()) {
            reasons.add(new Refusal(Refusal.Kind.NO_BACKEND, -1, "device " + name + " runs " + info.arch()
                    + " code but no " + info.arch() + " back-end is installed (installed: "
                    + (jits.archs().isEmpty() ? "none" : String.join(", ", jits.archs())) + ")"));
        } else {
            reasons.addAll(capabilities(backend.get(), info).refusals(info.arch(), c.type(), c.insns()));
        }
        if (!info.programTypes().contains(c.type())) {
            reasons.add(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1,
                    "device " + name + " does not run " + c.type().kernelName() + " programs"));
        }
        for (int i = 0; i < c.maps().size(); i++) {
            MapSpec m = c.maps().get(i);
            if (!info.mapTypes().contains(m.type())) {
                reasons.add(new Refusal(Refusal.Kind.MAP_TYPE, -1, "map " + i + " (" + m.name() + "): "
                        + m.type().kernelName() + " maps cannot live on device " + name));
            }
        }
        long[] insns = c.insns();
        for (int i = 0; i < insns.length; i++) {
            int code = Insn.code(insns[i]);
            if (code == (BPF_JMP | BPF_CALL) && Insn.src(insns[i]) == BPF_HELPER_CALL
                    && !info.helperAddresses().containsKey(Insn.imm(insns[i]))) {
                reasons.add(new Refusal(Refusal.Kind.HELPER, i, "insn " + i + ": helper " + Insn.imm(insns[i])
                        + " has no firmware routine on device " + name));
            }
            if (isLdImm64(code)) i++;
        }
        reasons.addAll(dev.check(c).reasons());
        return new OffloadCheck(name, new ArrayList<>(reasons));
    }

    /**
     * What the back-end compiles for this device: its own capabilities, plus every atomic when the
     * device's firmware performs them ({@link FirmwareAtomics}) and it asks for the calls.
     */
    static Capabilities capabilities(JitBackend backend, DeviceInfo info) {
        Capabilities c = backend.capabilities();
        if (!FirmwareAtomics.providedBy(info)) return c;
        EnumSet<Feature> f = c.features().isEmpty() ? EnumSet.noneOf(Feature.class) : EnumSet.copyOf(c.features());
        f.add(Feature.ATOMIC32);
        f.add(Feature.ATOMIC64);
        return new Capabilities(f, c.programTypes(), c.anyHelper(), c.helpers(), c.maxInsns());
    }
}
