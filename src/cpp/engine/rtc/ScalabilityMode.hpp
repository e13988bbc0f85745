#pragma once
// Scalability modes as W3C webrtc-svc names them: 'L3T3', 'L2T2_KEY', 'S3T3', 'L1T2h'.
// L = spatial layers in one stream (SVC), S = simulcast-like independent spatial
// streams, T = temporal layers; '_KEY' = K-SVC (upper spatial layers depend on lower
// ones only in key pictures). Anything unparseable means one layer of each.

#include <string_view>

namespace mediaplane {

struct ScalabilityMode {
	int spatialLayers = 1;
	int temporalLayers = 1;
	bool ksvc = false;
};

ScalabilityMode ParseScalabilityMode(std::string_view mode);

} // namespace mediaplane
