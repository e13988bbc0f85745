#include "ScalabilityMode.hpp"

namespace mediaplane {

ScalabilityMode ParseScalabilityMode(std::string_view mode) {
	ScalabilityMode result;
	// [LS] digit T digit [suffix]
	if (mode.size() < 4 || (mode[0] != 'L' && mode[0] != 'S') || mode[2] != 'T') return result;
	if (mode[1] < '1' || mode[1] > '9' || mode[3] < '1' || mode[3] > '9') return result;
	std::string_view suffix = mode.substr(4);
	if (!suffix.empty() && suffix != "h" && suffix != "_KEY" && suffix != "_KEY_SHIFT") return result;
	result.spatialLayers = mode[1] - '0';
	result.temporalLayers = mode[3] - '0';
	result.ksvc = suffix.substr(0, 4) == "_KEY";
	return result;
}

} // namespace mediaplane
