// Request bodies captured from real kubectl runs against ksim (kubectl -v=10
// logs them): the protobuf kubectl 1.32.5 and 1.33.1 send (byte-identical
// for every command here) and the JSON kubectl 1.27.16 sends for the same
// command. Used by protobuf_test.cc.
#ifndef KSIM_APISERVER_PROTOBUF_TESTDATA_H_
#define KSIM_APISERVER_PROTOBUF_TESTDATA_H_

#include <string>
#include <string_view>

namespace ksim::apiserver::testdata {

struct Fixture {
  std::string_view command;
  std::string_view protobuf_hex;  // kubectl 1.32 and 1.33
  std::string_view json;          // kubectl 1.27
};

// Hex digits -> bytes.
inline std::string Bytes(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

inline constexpr Fixture kFixtures[] = {
    {"kubectl create namespace team-a",
     "6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a"
     "0022002a0032003800420012001a020a001a002200",
     "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"team-a\","
     "\"creationTimestamp\":null},\"spec\":{},\"status\":{}}"},
    {"kubectl create configmap app-config --from-literal=mode=prod "
     "--from-literal=empty= --from-file=bin=bin.dat",
     "6b3873000a0f0a0276311209436f6e6669674d617012440a1a0a0a6170702d636f6e6669"
     "6712001a0022002a0032003800420012090a05656d7074791200120c0a046d6f64651204"
     "70726f641a0d0a0362696e120661626300ff011a002200",
     "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"app-conf"
     "ig\",\"creationTimestamp\":null},\"data\":{\"empty\":\"\",\"mode\":"
     "\"prod\"},\"b"
     "inaryData\":{\"bin\":\"YWJjAP8B\"}}"},
    {"kubectl create secret generic db-creds --from-literal=user=admin "
     "--from-literal=password=s3cr3t",
     "6b3873000a0c0a0276311206536563726574123f0a180a0864622d637265647312001a00"
     "22002a0032003800420012120a0870617373776f72641206733363723374120d0a047573"
     "6572120561646d696e1a001a002200",
     "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"db-"
     "creds\",\""
     "creationTimestamp\":null},\"data\":{\"password\":\"czNjcjN0\",\"user\":"
     "\"YWR"
     "taW4=\"}}"},
    {"kubectl create secret tls web-tls --cert=tls.crt --key=tls.key",
     "6b3873000a0c0a027631120653656372657412c5160a170a077765622d746c7312001a00"
     "22002a0032003800420012df080a07746c732e63727412d3082d2d2d2d2d424547494e20"
     "43455254494649434154452d2d2d2d2d0a4d494944425443434165326741774942416749"
     "555674686961704d67687461416e45515139493355753151795a716b774451594a4b6f5a"
     "496876634e4151454c0a42514177456a45514d41344741315545417777485a5868686258"
     "42735a544165467730794e6a45784d6a51794d5449774d7a68614677307a4e6a45784d6a"
     "45790a4d5449774d7a68614d4249784544414f42674e5642414d4d423256345957317762"
     "475577676745694d41304743537147534962334451454241515541413449420a44774177"
     "6767454b416f494241514442436432544c6a5946366a65316c6b52426b4773464c673545"
     "476d4c55426178427a68637246452f6b4b376a303438656d0a762b644b572b3667495858"
     "757665594f746f4b3150644a6b34654273332f7342636f374d7766576867765533525471"
     "357672502b7a545a4b3178697a536744380a70446b3162394f57363473345956346c3949"
     "7568487551392b614c522b69466e4632654837564f61383177326f62327a7a2f386e332b"
     "2f675569334c714447570a6c4e3454453176776332325131643163484843697166447378"
     "30547832696a326d79634159367075302b7a6d68667450584f4969734752467848457357"
     "46714f0a526b71747a3376776b555950502b72316b59716864514e714f4e52774b4b4254"
     "494c2f4c69446d37554d7a56386d4d475659335243386b4a2b366146372b74520a79346e"
     "6f4b7a7a7576302f5374504170644874535877687871666a6d2f66616f3931634241674d"
     "424141476a557a42524d4230474131556444675157424251340a3576474c4c7a497a6a50"
     "756b3651646632424b4e5039446d6a7a416642674e5648534d4547444157674251343576"
     "474c4c7a497a6a50756b3651646632424b4e0a5039446d6a7a415042674e5648524d4241"
     "663845425441444151482f4d413047435371475349623344514542437755414134494241"
     "51426a6f46396d6d484c4f0a576b4970326b75706c314175444f634b456947364c346a73"
     "747a38724b456e444e4e304d6d724f4a645843426c50674c4e555a51536d4a4861724c4d"
     "446134440a2f3661505636613245702f737757666b596648576632456a3661507a36394a"
     "31357977374a6d5063714848547331366c32527a67655a43312b524d6575667a650a3872"
     "544b69734d4c73684770695754726c38506d5a636d777a743433655a39702f766a744177"
     "75357773664145527a4d32396b4743384a56613165547334334b0a79545a4371324c504f"
     "6768466c6847384644677a634178354b7a71427645356564383572314975415778757573"
     "4b56704d35536234665077736d6259496f446e0a686977364164747a626c79634a75382b"
     "5a4a6569454774353254486a4d344a5a79636866584a42536754616b4d684642527a4538"
     "716e6546486e5235732f314c0a432b786847354841613963550a2d2d2d2d2d454e442043"
     "455254494649434154452d2d2d2d2d0a12b40d0a07746c732e6b657912a80d2d2d2d2d2d"
     "424547494e2050524956415445204b45592d2d2d2d2d0a4d494945765149424144414e42"
     "676b71686b6947397730424151454641415343424b63776767536a41674541416f494241"
     "514442436432544c6a5946366a65310a6c6b52426b4773464c673545476d4c5542617842"
     "7a68637246452f6b4b376a303438656d762b644b572b3667495858757665594f746f4b31"
     "50644a6b346542730a332f7342636f374d7766576867765533525471357672502b7a545a"
     "4b3178697a5367443870446b3162394f57363473345956346c39497568487551392b614c"
     "520a2b69466e4632654837564f61383177326f62327a7a2f386e332b2f675569334c7144"
     "47576c4e34544531767763323251316431634848436971664473783054780a32696a326d"
     "79634159367075302b7a6d68667450584f496973475246784845735746714f526b71747a"
     "3376776b555950502b72316b59716864514e714f4e52770a4b4b4254494c2f4c69446d37"
     "554d7a56386d4d475659335243386b4a2b366146372b745279346e6f4b7a7a7576302f53"
     "74504170644874535877687871666a6d0a2f66616f3931634241674d4241414543676745"
     "415471656c3748514f57422b6b766d307864364f514c386168306e634c344d6445396e55"
     "7964482b73773952610a34784779786f743441784474624c726c6b6a63334e37522f4572"
     "6c54636e366b307366367677362b42386c61504171667676734b344364487353464e7033"
     "58340a58776c65324a4a547179586243616f464370364633614a456949794e5249466b71"
     "666b6f7868672f7535396b6977547842474f6e35383375386744706654565a0a5a706857"
     "4d6c4d6567626156625767437046756f2f624c38487a6d554c65506e4e4852306771326a"
     "424c50447074374d6a55746d75644d7554363731425851430a6137764162304f4b346337"
     "3637354c6a73417853324a6549484f7a504e4e4c4735417646573064595a6a6d6f587735"
     "4e4a796c586959555a7456337a48452b2f0a4650496a46534b4b32316234667034525979"
     "67797656624e4d6678577a6b3052427846435876346e6c774b42675144737356446b754b"
     "384f6e446d6b643770370a6e54733130375a59646c75324b68646b4e6d37614445366c54"
     "787a3954362f4d433264544846393538586f374c455152692f6d64696777793247724245"
     "5533590a344d69514b784c544435443978417071532f693855777157704937472b4e4e34"
     "5479734d6f774361365a652f4f2f4837654b4854443845486f73356f5365554a0a717a70"
     "616a7566322f4d44507066625835574f51316c344651774b426751445179504f7a584c42"
     "724a364a62536b6f686e6b4b497a63594c6b7656724d5736320a41567067335872647853"
     "48672f6f7131474664626b796b4c624363326538794b6f705a323758566d636b67336335"
     "646b39317947385a456d67316679334e53750a4e594e366632486b2b612b657070454539"
     "696369306e6c2f4251715233674248616a6f33596a4766642f4c6b7a545565504e4b7358"
     "6671335a554e6f6b794f610a4f45366b7a69514d61774b4267514443446549336b313861"
     "7947544e2f6364726634354335452b306d5630357261713934343767774952654c63326a"
     "745168350a62735149744e4e6d59392b46306859416d4e56504878592f50595851776f49"
     "6a6c4b393632345730657965786c6c2b2f7049664b787636415957775a6e336d700a5171"
     "6356316a49787a2b41307a6b336e6b5a434450594252355633367a4e4b324b6164504261"
     "6b5371306a644e634636596a784f54434b4c68774b4267476f660a75722f51765675364b"
     "617839646e4467494c476f3571473763554f72504c734774516e48696b787668326a312b"
     "55745474424f3447595455314a6d394535726b0a536462706e474d576339363777706876"
     "6f33683045584f6944334a444456662f6d33554969706e343047757a2f734b6d322f3233"
     "506b70794a59302f617154690a4f66557331457861692f77413070387343326e52327a36"
     "64476b5a746841732f30376d786a6d4642416f474141784d55446e563870314a72315a57"
     "66556b74530a596a73414a3741376d335a4b6e784e64734c57685a6b6c492f626e675337"
     "5053317167306a526e4134592f654d7653592b344a5a4b4238692b466361414351640a57"
     "55616c6175363070735851537861435a2f4a694672676a756a54584d5a705a376a4e714f"
     "5870724a666c32514f675675424f454f7437702b6150382b3476570a4867654c52585030"
     "5062737a7a6a4e71483077426e7a593d0a2d2d2d2d2d454e442050524956415445204b45"
     "592d2d2d2d2d0a1a116b756265726e657465732e696f2f746c731a002200",
     "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-"
     "tls\",\"c"
     "reationTimestamp\":null},\"data\":{\"tls.crt\":\"LS0tLS1CRUdJTiBDRVJUSUZ"
     "JQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lVVnRoaWFwTWdodGFBbkVRUTlJM"
     "1V1MVF5WnFrd0RRWUpLb1pJaHZjTkFRRUwKQlFBd0VqRVFNQTRHQTFVRUF3d0haWGh"
     "oYlhCc1pUQWVGdzB5TmpFeE1qUXlNVEl3TXpoYUZ3MHpOakV4TWpFeQpNVEl3TXpoY"
     "U1CSXhFREFPQmdOVkJBTU1CMlY0WVcxd2JHVXdnZ0VpTUEwR0NTcUdTSWIzRFFFQkF"
     "RVUFBNElCCkR3QXdnZ0VLQW9JQkFRREJDZDJUTGpZRjZqZTFsa1JCa0dzRkxnNUVHb"
     "UxVQmF4QnpoY3JGRS9rSzdqMDQ4ZW0KditkS1crNmdJWFh1dmVZT3RvSzFQZEprNGV"
     "CczMvc0JjbzdNd2ZXaGd2VTNSVHE1dnJQK3pUWksxeGl6U2dEOApwRGsxYjlPVzY0c"
     "zRZVjRsOUl1aEh1UTkrYUxSK2lGbkYyZUg3Vk9hODF3Mm9iMnp6LzhuMysvZ1VpM0x"
     "xREdXCmxONFRFMXZ3YzIyUTFkMWNISENpcWZEc3gwVHgyaWoybXljQVk2cHUwK3pta"
     "GZ0UFhPSWlzR1JGeEhFc1dGcU8KUmtxdHozdndrVVlQUCtyMWtZcWhkUU5xT05Sd0t"
     "LQlRJTC9MaURtN1VNelY4bU1HVlkzUkM4a0orNmFGNyt0Ugp5NG5vS3p6dXYwL1N0U"
     "EFwZEh0U1h3aHhxZmptL2ZhbzkxY0JBZ01CQUFHalV6QlJNQjBHQTFVZERnUVdCQlE"
     "0CjV2R0xMekl6alB1azZRZGYyQktOUDlEbWp6QWZCZ05WSFNNRUdEQVdnQlE0NXZHT"
     "Ex6SXpqUHVrNlFkZjJCS04KUDlEbWp6QVBCZ05WSFJNQkFmOEVCVEFEQVFIL01BMEd"
     "DU3FHU0liM0RRRUJDd1VBQTRJQkFRQmpvRjltbUhMTwpXa0lwMmt1cGwxQXVET2NLR"
     "WlHNkw0anN0ejhyS0VuRE5OME1tck9KZFhDQmxQZ0xOVVpRU21KSGFyTE1EYTRECi8"
     "2YVBWNmEyRXAvc3dXZmtZZkhXZjJFajZhUHo2OUoxNXl3N0ptUGNxSEhUczE2bDJSe"
     "mdlWkMxK1JNZXVmemUKOHJUS2lzTUxzaEdwaVdUcmw4UG1aY213enQ0M2VaOXAvdmp"
     "0QXd1NXdzZkFFUnpNMjlrR0M4SlZhMWVUczQzSwp5VFpDcTJMUE9naEZsaEc4RkRne"
     "mNBeDVLenFCdkU1ZWQ4NXIxSXVBV3h1dXNLVnBNNVNiNGZQd3NtYllJb0RuCmhpdzZ"
     "BZHR6Ymx5Y0p1OCtaSmVpRUd0NTJUSGpNNEpaeWNoZlhKQlNnVGFrTWhGQlJ6RThxb"
     "mVGSG5SNXMvMUwKQyt4aEc1SEFhOWNVCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0"
     "K\",\"tls.key\":\"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURB"
     "TkJna3Foa2lHOXcwQkFRRUZBQVNDQktjd2dnU2pBZ0VBQW9JQkFRREJDZDJUTGpZRj"
     "ZqZTEKbGtSQmtHc0ZMZzVFR21MVUJheEJ6aGNyRkUva0s3ajA0OGVtditkS1crNmdJ"
     "WFh1dmVZT3RvSzFQZEprNGVCcwozL3NCY283TXdmV2hndlUzUlRxNXZyUCt6VFpLMX"
     "hpelNnRDhwRGsxYjlPVzY0czRZVjRsOUl1aEh1UTkrYUxSCitpRm5GMmVIN1ZPYTgx"
     "dzJvYjJ6ei84bjMrL2dVaTNMcURHV2xONFRFMXZ3YzIyUTFkMWNISENpcWZEc3gwVH"
     "gKMmlqMm15Y0FZNnB1MCt6bWhmdFBYT0lpc0dSRnhIRXNXRnFPUmtxdHozdndrVVlQ"
     "UCtyMWtZcWhkUU5xT05SdwpLS0JUSUwvTGlEbTdVTXpWOG1NR1ZZM1JDOGtKKzZhRj"
     "crdFJ5NG5vS3p6dXYwL1N0UEFwZEh0U1h3aHhxZmptCi9mYW85MWNCQWdNQkFBRUNn"
     "Z0VBVHFlbDdIUU9XQitrdm0weGQ2T1FMOGFoMG5jTDRNZEU5blV5ZEgrc3c5UmEKNH"
     "hHeXhvdDRBeER0YkxybGtqYzNON1IvRXJsVGNuNmswc2Y2dnc2K0I4bGFQQXFmdnZz"
     "SzRDZEhzU0ZOcDNYNApYd2xlMkpKVHF5WGJDYW9GQ3A2RjNhSkVpSXlOUklGa3Fma2"
     "94aGcvdTU5a2l3VHhCR09uNTgzdThnRHBmVFZaClpwaFdNbE1lZ2JhVmJXZ0NwRnVv"
     "L2JMOEh6bVVMZVBuTkhSMGdxMmpCTFBEcHQ3TWpVdG11ZE11VDY3MUJYUUMKYTd2QW"
     "IwT0s0Yzc2NzVManNBeFMySmVJSE96UE5OTEc1QXZGVzBkWVpqbW9YdzVOSnlsWGlZ"
     "VVp0VjN6SEUrLwpGUElqRlNLSzIxYjRmcDRSWXlneXZWYk5NZnhXemswUkJ4RkNYdj"
     "RubHdLQmdRRHNzVkRrdUs4T25EbWtkN3A3Cm5UczEwN1pZZGx1MktoZGtObTdhREU2"
     "bFR4ejlUNi9NQzJkVEhGOTU4WG83TEVRUmkvbWRpZ3d5MkdyQkVVM1kKNE1pUUt4TF"
     "RENUQ5eEFwcVMvaThVd3FXcEk3RytOTjRUeXNNb3dDYTZaZS9PL0g3ZUtIVEQ4RUhv"
     "czVvU2VVSgpxenBhanVmMi9NRFBwZmJYNVdPUTFsNEZRd0tCZ1FEUXlQT3pYTEJySj"
     "ZKYlNrb2hua0tJemNZTGt2VnJNVzYyCkFWcGczWHJkeFNIZy9vcTFHRmRia3lrTGJD"
     "YzJlOHlLb3BaMjdYVm1ja2czYzVkazkxeUc4WkVtZzFmeTNOU3UKTllONmYySGsrYS"
     "tlcHBFRTlpY2kwbmwvQlFxUjNnQkhham8zWWpHZmQvTGt6VFVlUE5Lc1hmcTNaVU5v"
     "a3lPYQpPRTZremlRTWF3S0JnUURDRGVJM2sxOGF5R1ROL2NkcmY0NUM1RSswbVYwNX"
     "JhcTk0NDdnd0lSZUxjMmp0UWg1CmJzUUl0Tk5tWTkrRjBoWUFtTlZQSHhZL1BZWFF3"
     "b0lqbEs5NjI0VzBleWV4bGwrL3BJZkt4djZBWVd3Wm4zbXAKUXFjVjFqSXh6K0Ewem"
     "szbmtaQ0RQWUJSNVYzNnpOSzJLYWRQQmFrU3EwamROY0Y2WWp4T1RDS0xod0tCZ0dv"
     "Zgp1ci9RdlZ1NktheDlkbkRnSUxHbzVxRzdjVU9yUExzR3RRbkhpa3h2aDJqMStVdF"
     "R0Qk80R1lUVTFKbTlFNXJrClNkYnBuR01XYzk2N3dwaHZvM2gwRVhPaUQzSkREVmYv"
     "bTNVSWlwbjQwR3V6L3NLbTIvMjNQa3B5SlkwL2FxVGkKT2ZVczFFeGFpL3dBMHA4c0"
     "MyblIyejZkR2tadGhBcy8wN214am1GQkFvR0FBeE1VRG5WOHAxSnIxWldmVWt0UwpZ"
     "anNBSjdBN20zWktueE5kc0xXaFprbEkvYm5nUzdQUzFxZzBqUm5BNFkvZU12U1krNE"
     "paS0I4aStGY2FBQ1FkCldVYWxhdTYwcHNYUVN4YUNaL0ppRnJnanVqVFhNWnBaN2pO"
     "cU9YcHJKZmwyUU9nVnVCT0VPdDdwK2FQOCs0dlcKSGdlTFJYUDBQYnN6empOcUgwd0"
     "Juelk9Ci0tLS0tRU5EIFBSSVZBVEUgS0VZLS0tLS0K\"},\"type\":\"kubernetes.io"
     "/tls\"}"},
    {"kubectl create secret docker-registry regcred "
     "--docker-server=registry.example.com --docker-username=bob "
     "--docker-password=hunter2 --docker-email=bob@example.com",
     "6b3873000a0c0a027631120653656372657412cf010a170a077265676372656412001a00"
     "22002a003200380042001293010a112e646f636b6572636f6e6669676a736f6e127e7b22"
     "6175746873223a7b2272656769737472792e6578616d706c652e636f6d223a7b22757365"
     "726e616d65223a22626f62222c2270617373776f7264223a2268756e74657232222c2265"
     "6d61696c223a22626f62406578616d706c652e636f6d222c2261757468223a22596d3969"
     "4f6d6831626e526c636a493d227d7d7d1a1e6b756265726e657465732e696f2f646f636b"
     "6572636f6e6669676a736f6e1a002200",
     "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"regcred\",\"c"
     "reationTimestamp\":null},\"data\":{\".dockerconfigjson\":\"eyJhdXRocyI6e"
     "yJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJ1c2VybmFtZSI6ImJvYiIsInBhc3N3b3J"
     "kIjoiaHVudGVyMiIsImVtYWlsIjoiYm9iQGV4YW1wbGUuY29tIiwiYXV0aCI6IlltO"
     "WlPbWgxYm5SbGNqST0ifX19\"},\"type\":\"kubernetes.io/dockerconfigjson\"}"},
    {"kubectl create serviceaccount builder",
     "6b3873000a140a027631120e536572766963654163636f756e7412190a170a076275696c"
     "64657212001a0022002a003200380042001a002200",
     "{\"kind\":\"ServiceAccount\",\"apiVersion\":\"v1\",\"metadata\":{"
     "\"name\":\"bui"
     "lder\",\"creationTimestamp\":null}}"},
    {"kubectl create service clusterip web --tcp=80:8080 --tcp=443:https",
     "6b3873000a0d0a027631120753657276696365128d010a1f0a0377656212001a0022002a"
     "003200380042005a0a0a03617070120377656212660a1b0a0738302d3830383012035443"
     "5018502207080010903f1a0028000a220a093434332d6874747073120354435018bb0322"
     "0b080110001a0568747470732800120a0a0361707012037765621a002209436c75737465"
     "7249503a00420052005a00600068001a020a001a002200",
     "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"web\",\"crea"
     "tionTimestamp\":null,\"labels\":{\"app\":\"web\"}},\"spec\":{\"ports\":[{"
     "\"nam"
     "e\":\"80-8080\",\"protocol\":\"TCP\",\"port\":80,\"targetPort\":8080},{"
     "\"name\""
     ":\"443-https\",\"protocol\":\"TCP\",\"port\":443,\"targetPort\":"
     "\"https\"}],\"s"
     "elector\":{\"app\":\"web\"},\"type\":\"ClusterIP\"},\"status\":{"
     "\"loadBalancer"
     "\":{}}}"},
    {"kubectl create service clusterip headless --clusterip=None",
     "6b3873000a0d0a027631120753657276696365125f0a290a08686561646c65737312001a"
     "0022002a003200380042005a0f0a036170701208686561646c657373122e120f0a036170"
     "701208686561646c6573731a044e6f6e652209436c757374657249503a00420052005a00"
     "600068001a020a001a002200",
     "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"headless\","
     "\"creationTimestamp\":null,\"labels\":{\"app\":\"headless\"}},\"spec\":{"
     "\"sel"
     "ector\":{\"app\":\"headless\"},\"clusterIP\":\"None\",\"type\":"
     "\"ClusterIP\"},\""
     "status\":{\"loadBalancer\":{}}}"},
    {"kubectl create service nodeport np --tcp=80:8080 --node-port=30080",
     "6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a0032"
     "00380042005a090a0361707012026e7012420a1d0a0738302d3830383012035443501850"
     "2207080010903f1a002880eb0112090a0361707012026e701a0022084e6f6465506f7274"
     "3a00420052005a00600068001a020a001a002200",
     "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"np\",\"creat"
     "ionTimestamp\":null,\"labels\":{\"app\":\"np\"}},\"spec\":{\"ports\":[{"
     "\"name\""
     ":\"80-8080\",\"protocol\":\"TCP\",\"port\":80,\"targetPort\":8080,"
     "\"nodePort\""
     ":30080}],\"selector\":{\"app\":\"np\"},\"type\":\"NodePort\"},\"status\":"
     "{\"loa"
     "dBalancer\":{}}}"},
    {"kubectl create service loadbalancer lb --tcp=5678:8080",
     "6b3873000a0d0a027631120753657276696365126c0a1d0a026c6212001a0022002a0032"
     "00380042005a090a0361707012026c6212470a1e0a09353637382d383038301203544350"
     "18ae2c2207080010903f1a00280012090a0361707012026c621a00220c4c6f616442616c"
     "616e6365723a00420052005a00600068001a020a001a002200",
     "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"lb\",\"creat"
     "ionTimestamp\":null,\"labels\":{\"app\":\"lb\"}},\"spec\":{\"ports\":[{"
     "\"name\""
     ":\"5678-8080\",\"protocol\":\"TCP\",\"port\":5678,\"targetPort\":8080}],"
     "\"sel"
     "ector\":{\"app\":\"lb\"},\"type\":\"LoadBalancer\"},\"status\":{"
     "\"loadBalancer"
     "\":{}}}"},
    {"kubectl create service externalname ext --external-name=example.com "
     "--tcp=80",
     "6b3873000a0d0a02763112075365727669636512710a1f0a0365787412001a0022002a00"
     "3200380042005a0a0a036170701203657874124a0a150a02383012035443501850220608"
     "0010501a002800120a0a0361707012036578741a00220c45787465726e616c4e616d653a"
     "004200520b6578616d706c652e636f6d5a00600068001a020a001a002200",
     "{\"kind\":\"Service\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
     "\"ext\",\"crea"
     "tionTimestamp\":null,\"labels\":{\"app\":\"ext\"}},\"spec\":{\"ports\":[{"
     "\"nam"
     "e\":\"80\",\"protocol\":\"TCP\",\"port\":80,\"targetPort\":80}],"
     "\"selector\":{\""
     "app\":\"ext\"},\"type\":\"ExternalName\",\"externalName\":\"example."
     "com\"},\"s"
     "tatus\":{\"loadBalancer\":{}}}"},
    {"kubectl create deployment web --image=nginx",
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412ab010a1f0a037765"
     "6212001a0022002a003200380042005a0a0a036170701203776562127a0801120c0a0a0a"
     "0361707012037765621a600a1c0a0012001a0022002a003200380042005a0a0a03617070"
     "1203776562124012220a056e67696e7812056e67696e782a0042006a0072008001008801"
     "00900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022"
     "020a00280038001a0c0800100018002000280038001a002200",
     "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/"
     "v1\",\"metadata\":{\"name\":\"we"
     "b\",\"creationTimestamp\":null,\"labels\":{\"app\":\"web\"}},\"spec\":{"
     "\"repli"
     "cas\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{"
     "\"metad"
     "ata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"web\"}},\"spec\":"
     "{\"co"
     "ntainers\":[{\"name\":\"nginx\",\"image\":\"nginx\",\"resources\":{}}]}},"
     "\"str"
     "ategy\":{}},\"status\":{}}"},
    {"kubectl create deployment web3 --image=nginx:1.25 --replicas=3 --port=80",
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c1010a210a047765"
     "623312001a0022002a003200380042005a0b0a03617070120477656233128d010803120d"
     "0a0b0a036170701204776562331a720a1d0a0012001a0022002a003200380042005a0b0a"
     "03617070120477656233125112330a056e67696e78120a6e67696e783a312e32352a0032"
     "0a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a"
     "0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018"
     "002000280038001a002200",
     "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/"
     "v1\",\"metadata\":{\"name\":\"we"
     "b3\",\"creationTimestamp\":null,\"labels\":{\"app\":\"web3\"}},\"spec\":{"
     "\"rep"
     "licas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web3\"}},\"template\":"
     "{\"me"
     "tadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"web3\"}},"
     "\"spec\":"
     "{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\",\"ports\":["
     "{\"con"
     "tainerPort\":80}],\"resources\":{}}]}},\"strategy\":{}},\"status\":{}}"},
    {"kubectl create deployment zero --image=nginx --replicas=0",
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412af010a210a047a65"
     "726f12001a0022002a003200380042005a0b0a0361707012047a65726f127c0800120d0a"
     "0b0a0361707012047a65726f1a610a1d0a0012001a0022002a003200380042005a0b0a03"
     "61707012047a65726f124012220a056e67696e7812056e67696e782a0042006a00720080"
     "0100880100900100a201001a00320042004a0052005800600068008201008a01009a0100"
     "c2010022020a00280038001a0c0800100018002000280038001a002200",
     "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/"
     "v1\",\"metadata\":{\"name\":\"ze"
     "ro\",\"creationTimestamp\":null,\"labels\":{\"app\":\"zero\"}},\"spec\":{"
     "\"rep"
     "licas\":0,\"selector\":{\"matchLabels\":{\"app\":\"zero\"}},\"template\":"
     "{\"me"
     "tadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"zero\"}},"
     "\"spec\":"
     "{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\",\"resources\":{}"
     "}]}},"
     "\"strategy\":{}},\"status\":{}}"},
    {"kubectl create deployment multi --image=nginx --image=busybox",
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412dd010a230a056d75"
     "6c746912001a0022002a003200380042005a0c0a0361707012056d756c746912a7010801"
     "120e0a0c0a0361707012056d756c74691a8a010a1e0a0012001a0022002a003200380042"
     "005a0c0a0361707012056d756c7469126812220a056e67696e7812056e67696e782a0042"
     "006a007200800100880100900100a2010012260a0762757379626f78120762757379626f"
     "782a0042006a007200800100880100900100a201001a00320042004a0052005800600068"
     "008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a"
     "002200",
     "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/"
     "v1\",\"metadata\":{\"name\":\"mu"
     "lti\",\"creationTimestamp\":null,\"labels\":{\"app\":\"multi\"}},"
     "\"spec\":{\"r"
     "eplicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"multi\"}},"
     "\"template\":{"
     "\"metadata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"multi\"}},"
     "\"sp"
     "ec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\","
     "\"resources\":{}}"
     ",{\"name\":\"busybox\",\"image\":\"busybox\",\"resources\":{}}]}},"
     "\"strategy\""
     ":{}},\"status\":{}}"},
    {"kubectl create deployment cmd --image=busybox -- sh -c 'sleep 3600'",
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c4010a1f0a03636d"
     "6412001a0022002a003200380042005a0a0a036170701203636d641292010801120c0a0a"
     "0a036170701203636d641a780a1c0a0012001a0022002a003200380042005a0a0a036170"
     "701203636d641258123a0a0762757379626f78120762757379626f781a0273681a022d63"
     "1a0a736c65657020333630302a0042006a007200800100880100900100a201001a003200"
     "42004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800"
     "100018002000280038001a002200",
     "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/"
     "v1\",\"metadata\":{\"name\":\"cm"
     "d\",\"creationTimestamp\":null,\"labels\":{\"app\":\"cmd\"}},\"spec\":{"
     "\"repli"
     "cas\":1,\"selector\":{\"matchLabels\":{\"app\":\"cmd\"}},\"template\":{"
     "\"metad"
     "ata\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"cmd\"}},\"spec\":"
     "{\"co"
     "ntainers\":[{\"name\":\"busybox\",\"image\":\"busybox\",\"command\":["
     "\"sh\",\"-c"
     "\",\"sleep 3600\"],\"resources\":{}}]}},\"strategy\":{}},\"status\":{}}"},
};

}  // namespace ksim::apiserver::testdata

#endif  // KSIM_APISERVER_PROTOBUF_TESTDATA_H_
