package org.obpf.offload.rfpc.ds;

import java.util.Map;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.offload.rfpc.RfpcConfig;
import org.obpf.offload.rfpc.RfpcDevice;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Further RFPCs, one per factory configuration of PID {@code org.obpf.offload.rfpc}: each needs
 * {@code bpf.offload.dev}; sizes not given are the small device's.
 */
@Component(service = OffloadDevice.class, configurationPid = "org.obpf.offload.rfpc",
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = OffloadDevice.ARCH + "=" + RfpcDevice.ARCH)
public final class RfpcConfigured extends RfpcDevice {
    @Activate
    public RfpcConfigured(Map<String, Object> props) {
        super(RfpcConfig.from(props, RfpcConfig.small(String.valueOf(props.get(OffloadDevice.DEV)))));
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
