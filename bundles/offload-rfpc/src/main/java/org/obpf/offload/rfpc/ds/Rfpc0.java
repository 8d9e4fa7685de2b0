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
 * The small RFPC, {@code rfpc0}: one group of four cores, 64 KiB code, 4 MiB DRAM. Sizes can be
 * changed by configuration PID {@code org.obpf.offload.rfpc.rfpc0} ({@code rfpc.*} properties).
 */
@Component(service = OffloadDevice.class, configurationPid = "org.obpf.offload.rfpc.rfpc0", property = {
        OffloadDevice.DEV + "=rfpc0", OffloadDevice.ARCH + "=" + RfpcDevice.ARCH,
        RfpcConfig.GROUPS + ":Integer=1", RfpcConfig.CORES + ":Integer=4", RfpcConfig.LOCAL + ":Integer=65536",
        RfpcConfig.WINDOW + ":Integer=16384", RfpcConfig.CODE + ":Integer=65536", RfpcConfig.DRAM + ":Integer=4194304"})
public final class Rfpc0 extends RfpcDevice {
    @Activate
    public Rfpc0(Map<String, Object> props) {
        super(RfpcConfig.from(props, RfpcConfig.small("rfpc0")));
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
