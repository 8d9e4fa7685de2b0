/**
 * The helper SPI: functions a BPF program calls with {@code call IMM} (the kernel's
 * {@code bpf_func_proto}s). Core holds the built-in helpers; other bundles contribute more as
 * {@link org.obpf.api.helper.Helper} services carrying the {@value org.obpf.api.helper.Helper#ID}
 * property.
 */
@Export
@Version("0.2.0")
package org.obpf.api.helper;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
