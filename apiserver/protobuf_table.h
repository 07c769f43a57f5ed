// Building blocks of the protobuf message table (protobuf_messages*.cc):
// terse Field constructors, so that the table reads like the .proto files,
// and the per-file parts of the table. Internal to those files.
#ifndef KSIM_APISERVER_PROTOBUF_TABLE_H_
#define KSIM_APISERVER_PROTOBUF_TABLE_H_

#include <string_view>
#include <vector>

#include "apiserver/protobuf_messages.h"

namespace ksim::apiserver::proto::table {

// Z: keep_zero; s: repeated.
inline Field Str(int n, std::string_view j) { return {n, j, Kind::kString}; }
inline Field StrZ(int n, std::string_view j) {
  return {n, j, Kind::kString, {}, false, true};
}
inline Field Strs(int n, std::string_view j) {
  return {n, j, Kind::kString, {}, true};
}
inline Field Int(int n, std::string_view j) { return {n, j, Kind::kInt}; }
inline Field IntZ(int n, std::string_view j) {
  return {n, j, Kind::kInt, {}, false, true};
}
inline Field Bool(int n, std::string_view j) { return {n, j, Kind::kBool}; }
inline Field BoolZ(int n, std::string_view j) {
  return {n, j, Kind::kBool, {}, false, true};
}
inline Field Msg(int n, std::string_view j, std::string_view m) {
  return {n, j, Kind::kMessage, m};
}
inline Field Msgs(int n, std::string_view j, std::string_view m) {
  return {n, j, Kind::kMessage, m, true};
}
inline Field Inline(int n, std::string_view m) {
  return {n, {}, Kind::kInline, m};
}
inline Field MapS(int n, std::string_view j) {
  return {n, j, Kind::kMapString};
}
inline Field MapB(int n, std::string_view j) { return {n, j, Kind::kMapBytes}; }
inline Field MapQ(int n, std::string_view j) {
  return {n, j, Kind::kMapQuantity};
}
inline Field Qty(int n, std::string_view j) { return {n, j, Kind::kQuantity}; }
inline Field Time(int n, std::string_view j) { return {n, j, Kind::kTime}; }
inline Field IntStr(int n, std::string_view j) {
  return {n, j, Kind::kIntOrString};
}

// Parts of the table, by file.
std::vector<Message> PodMessages();         // Pod, PodSpec, PodStatus, ...
std::vector<Message> SchedulingMessages();  // Affinity, spread constraints
std::vector<Message> ContainerMessages();   // Container, probes, env, ...
std::vector<Message> VolumeMessages();      // Volume and its sources

}  // namespace ksim::apiserver::proto::table

#endif  // KSIM_APISERVER_PROTOBUF_TABLE_H_
