package org.obpf.offload.rfpc.ds;

import java.util.Map;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.offload.rfpc.RfpcConfig;
import org.obpf.offload.rfpc.RfpcDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The large RFPC, {@code rfpc1}: four groups of eight cores, 256 KiB code, 64 MiB DRAM. Sizes can be
 * changed by configuration PID {@code org.obpf.offload.rfpc.rfpc1} ({@code rfpc.*} properties).
 */
@Component(service = OffloadDevice.class, configurationPid = "org.obpf.offload.rfpc.rfpc1", property = {
        OffloadDevice.DEV + "=rfpc1", OffloadDevice.ARCH + "=" + RfpcDevice.ARCH,
        RfpcConfig.GROUPS + ":Integer=4", RfpcConfig.CORES + ":Integer=8", RfpcConfig.LOCAL + ":Integer=262144",
        RfpcConfig.WINDOW + ":Integer=16384", RfpcConfig.CODE + ":Integer=262144", RfpcConfig.DRAM + ":Integer=67108864"})
public final class Rfpc1 extends RfpcDevice {
    @Activate
    public Rfpc1(Map<String, Object> props) {
        super(RfpcConfig.from(props, RfpcConfig.large("rfpc1")));
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
