package org.obpf.offload.nfp.ds;

import java.util.Map;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.offload.nfp.NfpDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The simulated NFP {@code nfp0}: one microengine, 4 MiB DRAM for maps ({@code nfp.dram.bytes}
 * by configuration PID {@code org.obpf.offload.nfp.nfp0}). Finds the nfp back-end in the
 * service registry; without one it keeps its maps and says why it cannot load programs.
 */
@Component(service = OffloadDevice.class, configurationPid = "org.obpf.offload.nfp.nfp0", property = {
        OffloadDevice.DEV + "=nfp0", OffloadDevice.ARCH + "=" + NfpDevice.ARCH, Nfp0.DRAM + ":Integer=4194304"})
public final class Nfp0 extends NfpDevice {
    static final String DRAM = "nfp.dram.bytes";

    @Activate
    public Nfp0(Map<String, Object> props) {
        super(String.valueOf(props.getOrDefault(OffloadDevice.DEV, "nfp0")), dram(props.get(DRAM)));
    }

    private static int dram(Object v) {
        int bytes = v instanceof Number n ? n.intValue() : v == null ? 4 << 20 : Integer.parseInt(v.toString().strip());
        if (bytes < 4096 || bytes > 1 << 30) throw new IllegalArgumentException(DRAM + " = " + bytes + " outside 4096..2^30");
        return bytes;
    }

    @Reference(service = JitBackend.class, target = "(" + JitBackend.ARCH + "=" + ARCH + ")", cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindBackend")
    void bindBackend(JitBackend b) {
        addBackend(b);
    }

    void unbindBackend(JitBackend b) {
        removeBackend(b);
    }

    @Deactivate
    void deactivate() {
        shutdown();
    }
}
