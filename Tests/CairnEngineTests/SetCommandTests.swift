@testable import CairnEngine
import XCTest

/// Transcripts were recorded from redis-server 7.0.15 (replies and dirty counts); 7.0 and 7.2 agree on them
/// because they use only integer sets where order or encoding shows. The listpack encoding of small
/// non-integer sets, new in 7.2, is checked against t_set.c's rules in the tests after them.
final class SetCommandTests: TranscriptTestCase {

    func testSaddSremScard() {
        transcript([
            (["SADD", "s", "3", "1", "2"], ":3\r\n", 3),
            (["SADD", "s", "2", "4"], ":1\r\n", 1),
            (["SMEMBERS", "s"], "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", 0),
            (["SCARD", "s"], ":4\r\n", 0),
            (["OBJECT", "ENCODING", "s"], "$6\r\nintset\r\n", 0),
            (["SREM", "s", "1", "9"], ":1\r\n", 1),
            (["SMEMBERS", "s"], "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", 0),
            (["SREM", "s", "2", "3", "4"], ":3\r\n", 3),
            (["EXISTS", "s"], ":0\r\n", 0),
            (["SREM", "missing", "a"], ":0\r\n", 0),
            (["SADD", "s"], "-ERR wrong number of arguments for 'sadd' command\r\n", 0),
            (["SREM", "s"], "-ERR wrong number of arguments for 'srem' command\r\n", 0),
            (["SCARD", "missing"], ":0\r\n", 0),
            (["SADD", "s", "a", "b", "a"], ":2\r\n", 2),
            (["SCARD", "s"], ":2\r\n", 0),
            (["SISMEMBER", "s", "a"], ":1\r\n", 0),
            (["SISMEMBER", "s", "c"], ":0\r\n", 0),
            (["SMISMEMBER", "s", "a", "c", "b"], "*3\r\n:1\r\n:0\r\n:1\r\n", 0),
            (["SMISMEMBER", "missing", "a"], "*1\r\n:0\r\n", 0),
            (["SISMEMBER", "missing", "a"], ":0\r\n", 0),
            (["SMEMBERS", "missing"], "*0\r\n", 0),
            (["SET", "str", "x"], "+OK\r\n", 1),
            (["SADD", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SREM", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SCARD", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SMEMBERS", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SISMEMBER", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SMISMEMBER", "str", "a"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testIntsetOrderAndLimits() {
        transcript([
            (["SADD", "s", "5", "-3", "100", "0", "-9223372036854775808", "9223372036854775807"], ":6\r\n", 6),
            (["SMEMBERS", "s"], "*6\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n0\r\n$1\r\n5\r\n$3\r\n100\r\n$19\r\n9223372036854775807\r\n", 0),
            (["OBJECT", "ENCODING", "s"], "$6\r\nintset\r\n", 0),
            (["SISMEMBER", "s", "05"], ":0\r\n", 0),
            (["SISMEMBER", "s", "-3"], ":1\r\n", 0),
            (["SISMEMBER", "s", "9223372036854775808"], ":0\r\n", 0),
            (["SREM", "s", "5", "100"], ":2\r\n", 2),
            (["SMEMBERS", "s"], "*4\r\n$20\r\n-9223372036854775808\r\n$2\r\n-3\r\n$1\r\n0\r\n$19\r\n9223372036854775807\r\n", 0),
            (["SADD", "i", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143", "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155", "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194", "195", "196", "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214", "215", "216", "217", "218", "219", "220", "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251", "252", "253", "254", "255", "256", "257", "258", "259", "260", "261", "262", "263", "264", "265", "266", "267", "268", "269", "270", "271", "272", "273", "274", "275", "276", "277", "278", "279", "280", "281", "282", "283", "284", "285", "286", "287", "288", "289", "290", "291", "292", "293", "294", "295", "296", "297", "298", "299", "300", "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311", "312", "313", "314", "315", "316", "317", "318", "319", "320", "321", "322", "323", "324", "325", "326", "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "338", "339", "340", "341", "342", "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353", "354", "355", "356", "357", "358", "359", "360", "361", "362", "363", "364", "365", "366", "367", "368", "369", "370", "371", "372", "373", "374", "375", "376", "377", "378", "379", "380", "381", "382", "383", "384", "385", "386", "387", "388", "389", "390", "391", "392", "393", "394", "395", "396", "397", "398", "399", "400", "401", "402", "403", "404", "405", "406", "407", "408", "409", "410", "411", "412", "413", "414", "415", "416", "417", "418", "419", "420", "421", "422", "423", "424", "425", "426", "427", "428", "429", "430", "431", "432", "433", "434", "435", "436", "437", "438", "439", "440", "441", "442", "443", "444", "445", "446", "447", "448", "449", "450", "451", "452", "453", "454", "455", "456", "457", "458", "459", "460", "461", "462", "463", "464", "465", "466", "467", "468", "469", "470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "480", "481", "482", "483", "484", "485", "486", "487", "488", "489", "490", "491", "492", "493", "494", "495", "496", "497", "498", "499", "500", "501", "502", "503", "504", "505", "506", "507", "508", "509", "510", "511"], ":512\r\n", 512),
            (["OBJECT", "ENCODING", "i"], "$6\r\nintset\r\n", 0),
            (["SADD", "i", "512"], ":1\r\n", 1),
            (["OBJECT", "ENCODING", "i"], "$9\r\nhashtable\r\n", 0),
            (["SREM", "i", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143", "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155", "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194", "195", "196", "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214", "215", "216", "217", "218", "219", "220", "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251", "252", "253", "254", "255", "256", "257", "258", "259", "260", "261", "262", "263", "264", "265", "266", "267", "268", "269", "270", "271", "272", "273", "274", "275", "276", "277", "278", "279", "280", "281", "282", "283", "284", "285", "286", "287", "288", "289", "290", "291", "292", "293", "294", "295", "296", "297", "298", "299", "300", "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311", "312", "313", "314", "315", "316", "317", "318", "319", "320", "321", "322", "323", "324", "325", "326", "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "338", "339", "340", "341", "342", "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353", "354", "355", "356", "357", "358", "359", "360", "361", "362", "363", "364", "365", "366", "367", "368", "369", "370", "371", "372", "373", "374", "375", "376", "377", "378", "379", "380", "381", "382", "383", "384", "385", "386", "387", "388", "389", "390", "391", "392", "393", "394", "395", "396", "397", "398", "399", "400", "401", "402", "403", "404", "405", "406", "407", "408", "409", "410", "411", "412", "413", "414", "415", "416", "417", "418", "419", "420", "421", "422", "423", "424", "425", "426", "427", "428", "429", "430", "431", "432", "433", "434", "435", "436", "437", "438", "439", "440", "441", "442", "443", "444", "445", "446", "447", "448", "449", "450", "451", "452", "453", "454", "455", "456", "457", "458", "459", "460", "461", "462", "463", "464", "465", "466", "467", "468", "469", "470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "480", "481", "482", "483", "484", "485", "486", "487", "488", "489", "490", "491", "492", "493", "494", "495", "496", "497", "498", "499", "500", "501", "502", "503", "504", "505", "506", "507", "508", "509"], ":510\r\n", 510),
            (["OBJECT", "ENCODING", "i"], "$9\r\nhashtable\r\n", 0),
            (["SMEMBERS", "i"], nil, 0),
            (["SCARD", "i"], ":3\r\n", 0),
            (["SADD", "j", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143", "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155", "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194", "195", "196", "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214", "215", "216", "217", "218", "219", "220", "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251", "252", "253", "254", "255", "256", "257", "258", "259", "260", "261", "262", "263", "264", "265", "266", "267", "268", "269", "270", "271", "272", "273", "274", "275", "276", "277", "278", "279", "280", "281", "282", "283", "284", "285", "286", "287", "288", "289", "290", "291", "292", "293", "294", "295", "296", "297", "298", "299", "300", "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311", "312", "313", "314", "315", "316", "317", "318", "319", "320", "321", "322", "323", "324", "325", "326", "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "338", "339", "340", "341", "342", "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353", "354", "355", "356", "357", "358", "359", "360", "361", "362", "363", "364", "365", "366", "367", "368", "369", "370", "371", "372", "373", "374", "375", "376", "377", "378", "379", "380", "381", "382", "383", "384", "385", "386", "387", "388", "389", "390", "391", "392", "393", "394", "395", "396", "397", "398", "399", "400", "401", "402", "403", "404", "405", "406", "407", "408", "409", "410", "411", "412", "413", "414", "415", "416", "417", "418", "419", "420", "421", "422", "423", "424", "425", "426", "427", "428", "429", "430", "431", "432", "433", "434", "435", "436", "437", "438", "439", "440", "441", "442", "443", "444", "445", "446", "447", "448", "449", "450", "451", "452", "453", "454", "455", "456", "457", "458", "459", "460", "461", "462", "463", "464", "465", "466", "467", "468", "469", "470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "480", "481", "482", "483", "484", "485", "486", "487", "488", "489", "490", "491", "492", "493", "494", "495", "496", "497", "498", "499", "500", "501", "502", "503", "504", "505", "506", "507", "508", "509", "510", "511", "512"], ":513\r\n", 513),
            (["OBJECT", "ENCODING", "j"], "$9\r\nhashtable\r\n", 0),
            (["SADD", "k", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143", "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155", "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194", "195", "196", "197", "198", "199"], ":200\r\n", 200),
            (["SADD", "k", "x"], ":1\r\n", 1),
            (["OBJECT", "ENCODING", "k"], "$9\r\nhashtable\r\n", 0),
            (["SCARD", "k"], ":201\r\n", 0),
        ])
    }

    func testSmove() {
        transcript([
            (["SADD", "a", "1", "2", "3"], ":3\r\n", 3),
            (["SADD", "b", "4"], ":1\r\n", 1),
            (["SMOVE", "a", "b", "1"], ":1\r\n", 2),
            (["SMOVE", "a", "b", "1"], ":0\r\n", 0),
            (["SMEMBERS", "a"], "*2\r\n$1\r\n2\r\n$1\r\n3\r\n", 0),
            (["SMEMBERS", "b"], "*2\r\n$1\r\n1\r\n$1\r\n4\r\n", 0),
            (["SMOVE", "a", "a", "2"], ":1\r\n", 0),
            (["SMOVE", "a", "a", "9"], ":0\r\n", 0),
            (["SMOVE", "missing", "b", "1"], ":0\r\n", 0),
            (["SMOVE", "a", "new", "2"], ":1\r\n", 2),
            (["SMOVE", "a", "new", "3"], ":1\r\n", 2),
            (["EXISTS", "a"], ":0\r\n", 0),
            (["SMEMBERS", "new"], "*2\r\n$1\r\n2\r\n$1\r\n3\r\n", 0),
            (["SMOVE", "b", "new", "4"], ":1\r\n", 2),
            (["SMEMBERS", "new"], "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["SMOVE", "str", "b", "3"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SMOVE", "new", "str", "3"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SMOVE", "missing", "str", "3"], ":0\r\n", 0),
            (["SMOVE", "new"], "-ERR wrong number of arguments for 'smove' command\r\n", 0),
        ])
    }

    func testSinterSunionSdiff() {
        transcript([
            (["SADD", "a", "1", "2", "3", "4", "5"], ":5\r\n", 5),
            (["SADD", "b", "2", "3", "5", "6"], ":4\r\n", 4),
            (["SADD", "c", "3", "5", "7"], ":3\r\n", 3),
            (["SINTER", "a", "b", "c"], "*2\r\n$1\r\n3\r\n$1\r\n5\r\n", 0),
            (["SINTER", "a", "b"], "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n5\r\n", 0),
            (["SINTER", "a", "missing"], "*0\r\n", 0),
            (["SINTER", "missing", "a"], "*0\r\n", 0),
            (["SUNION", "a", "b", "c"], "*7\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n", 0),
            (["SUNION", "missing"], "*0\r\n", 0),
            (["SDIFF", "a", "b"], "*2\r\n$1\r\n1\r\n$1\r\n4\r\n", 0),
            (["SDIFF", "a", "c", "missing"], "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n4\r\n", 0),
            (["SDIFF", "missing", "a"], "*0\r\n", 0),
            (["SDIFF", "a", "a"], "*0\r\n", 0),
            (["SDIFF", "a", "b", "c"], "*2\r\n$1\r\n1\r\n$1\r\n4\r\n", 0),
            (["SINTERCARD", "2", "a", "b"], ":3\r\n", 0),
            (["SINTERCARD", "3", "a", "b", "c"], ":2\r\n", 0),
            (["SINTERCARD", "2", "a", "b", "LIMIT", "1"], ":1\r\n", 0),
            (["SINTERCARD", "2", "a", "b", "LIMIT", "0"], ":3\r\n", 0),
            (["SINTERCARD", "2", "a", "b", "limit", "2", "LIMIT", "5"], ":3\r\n", 0),
            (["SINTERCARD", "2", "a", "missing"], ":0\r\n", 0),
            (["SINTERCARD", "0", "a"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["SINTERCARD", "-1", "a"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["SINTERCARD", "x", "a"], "-ERR numkeys should be greater than 0\r\n", 0),
            (["SINTERCARD", "3", "a", "b"], "-ERR Number of keys can't be greater than number of args\r\n", 0),
            (["SINTERCARD", "2", "a", "b", "LIMIT", "-1"], "-ERR LIMIT can't be negative\r\n", 0),
            (["SINTERCARD", "2", "a", "b", "LIMIT", "x"], "-ERR LIMIT can't be negative\r\n", 0),
            (["SINTERCARD", "2", "a", "b", "LIMIT"], "-ERR syntax error\r\n", 0),
            (["SINTERCARD", "2", "a", "b", "FOO", "1"], "-ERR syntax error\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["SINTER", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SINTER", "missing", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SINTER", "str", "missing"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SUNION", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SDIFF", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SDIFF", "missing", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SINTERCARD", "2", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SUNION"], "-ERR wrong number of arguments for 'sunion' command\r\n", 0),
            (["SINTER"], "-ERR wrong number of arguments for 'sinter' command\r\n", 0),
        ])
    }

    func testStoreCommands() {
        transcript([
            (["SADD", "a", "1", "2", "3", "4", "5"], ":5\r\n", 5),
            (["SADD", "b", "2", "3", "5", "6"], ":4\r\n", 4),
            (["SINTERSTORE", "d", "a", "b"], ":3\r\n", 1),
            (["SMEMBERS", "d"], "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n5\r\n", 0),
            (["OBJECT", "ENCODING", "d"], "$6\r\nintset\r\n", 0),
            (["SUNIONSTORE", "d", "a", "b"], ":6\r\n", 1),
            (["SMEMBERS", "d"], "*6\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n", 0),
            (["SDIFFSTORE", "d", "a", "b"], ":2\r\n", 1),
            (["SMEMBERS", "d"], "*2\r\n$1\r\n1\r\n$1\r\n4\r\n", 0),
            (["SINTERSTORE", "d", "a", "missing"], ":0\r\n", 1),
            (["EXISTS", "d"], ":0\r\n", 0),
            (["SINTERSTORE", "d", "a", "missing"], ":0\r\n", 0),
            (["SUNIONSTORE", "d", "missing"], ":0\r\n", 0),
            (["SDIFFSTORE", "d", "a", "a"], ":0\r\n", 0),
            (["SDIFFSTORE", "d", "missing", "a"], ":0\r\n", 0),
            (["SET", "d", "v"], "+OK\r\n", 1),
            (["SUNIONSTORE", "d", "a"], ":5\r\n", 1),
            (["TYPE", "d"], "+set\r\n", 0),
            (["SINTERSTORE", "e", "e", "a"], ":0\r\n", 0),
            (["SUNIONSTORE", "a", "a", "a"], ":5\r\n", 1),
            (["SCARD", "a"], ":5\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["SINTERSTORE", "d", "a", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SDIFFSTORE", "d", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SUNIONSTORE", "d"], "-ERR wrong number of arguments for 'sunionstore' command\r\n", 0),
            (["SADD", "big", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116", "117", "118", "119", "120", "121", "122", "123", "124", "125", "126", "127", "128", "129", "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "140", "141", "142", "143", "144", "145", "146", "147", "148", "149", "150", "151", "152", "153", "154", "155", "156", "157", "158", "159", "160", "161", "162", "163", "164", "165", "166", "167", "168", "169", "170", "171", "172", "173", "174", "175", "176", "177", "178", "179", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194", "195", "196", "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214", "215", "216", "217", "218", "219", "220", "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231", "232", "233", "234", "235", "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246", "247", "248", "249", "250", "251", "252", "253", "254", "255", "256", "257", "258", "259", "260", "261", "262", "263", "264", "265", "266", "267", "268", "269", "270", "271", "272", "273", "274", "275", "276", "277", "278", "279", "280", "281", "282", "283", "284", "285", "286", "287", "288", "289", "290", "291", "292", "293", "294", "295", "296", "297", "298", "299", "300", "301", "302", "303", "304", "305", "306", "307", "308", "309", "310", "311", "312", "313", "314", "315", "316", "317", "318", "319", "320", "321", "322", "323", "324", "325", "326", "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "338", "339", "340", "341", "342", "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353", "354", "355", "356", "357", "358", "359", "360", "361", "362", "363", "364", "365", "366", "367", "368", "369", "370", "371", "372", "373", "374", "375", "376", "377", "378", "379", "380", "381", "382", "383", "384", "385", "386", "387", "388", "389", "390", "391", "392", "393", "394", "395", "396", "397", "398", "399", "400", "401", "402", "403", "404", "405", "406", "407", "408", "409", "410", "411", "412", "413", "414", "415", "416", "417", "418", "419", "420", "421", "422", "423", "424", "425", "426", "427", "428", "429", "430", "431", "432", "433", "434", "435", "436", "437", "438", "439", "440", "441", "442", "443", "444", "445", "446", "447", "448", "449", "450", "451", "452", "453", "454", "455", "456", "457", "458", "459", "460", "461", "462", "463", "464", "465", "466", "467", "468", "469", "470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "480", "481", "482", "483", "484", "485", "486", "487", "488", "489", "490", "491", "492", "493", "494", "495", "496", "497", "498", "499", "500", "501", "502", "503", "504", "505", "506", "507", "508", "509", "510", "511", "512", "513", "514", "515", "516", "517", "518", "519", "520", "521", "522", "523", "524", "525", "526", "527", "528", "529", "530", "531", "532", "533", "534", "535", "536", "537", "538", "539", "540", "541", "542", "543", "544", "545", "546", "547", "548", "549", "550", "551", "552", "553", "554", "555", "556", "557", "558", "559", "560", "561", "562", "563", "564", "565", "566", "567", "568", "569", "570", "571", "572", "573", "574", "575", "576", "577", "578", "579", "580", "581", "582", "583", "584", "585", "586", "587", "588", "589", "590", "591", "592", "593", "594", "595", "596", "597", "598", "599"], ":600\r\n", 600),
            (["OBJECT", "ENCODING", "big"], "$9\r\nhashtable\r\n", 0),
            (["SINTERSTORE", "r", "big", "a"], ":5\r\n", 1),
            (["OBJECT", "ENCODING", "r"], "$6\r\nintset\r\n", 0),
            (["SDIFFSTORE", "r", "big", "a"], ":595\r\n", 1),
            (["OBJECT", "ENCODING", "r"], "$9\r\nhashtable\r\n", 0),
            (["SCARD", "r"], ":595\r\n", 0),
        ])
    }

    func testSpopSrandmemberDeterministicCases() {
        transcript([
            (["SPOP", "missing"], "$-1\r\n", 0),
            (["SPOP", "missing", "3"], "*0\r\n", 0),
            (["SRANDMEMBER", "missing"], "$-1\r\n", 0),
            (["SRANDMEMBER", "missing", "3"], "*0\r\n", 0),
            (["SRANDMEMBER", "missing", "-3"], "*0\r\n", 0),
            (["SADD", "one", "x"], ":1\r\n", 1),
            (["SPOP", "one"], "$1\r\nx\r\n", 1),
            (["EXISTS", "one"], ":0\r\n", 0),
            (["SADD", "one", "7"], ":1\r\n", 1),
            (["SRANDMEMBER", "one"], "$1\r\n7\r\n", 0),
            (["SRANDMEMBER", "one", "-3"], "*3\r\n$1\r\n7\r\n$1\r\n7\r\n$1\r\n7\r\n", 0),
            (["SRANDMEMBER", "one", "1"], "*1\r\n$1\r\n7\r\n", 0),
            (["SADD", "s", "1", "2", "3"], ":3\r\n", 3),
            (["SRANDMEMBER", "s", "0"], "*0\r\n", 0),
            (["SRANDMEMBER", "s", "3"], "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", 0),
            (["SRANDMEMBER", "s", "10"], "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", 0),
            (["SPOP", "s", "0"], "*0\r\n", 0),
            (["SPOP", "s", "-1"], "-ERR value is out of range, must be positive\r\n", 0),
            (["SPOP", "s", "x"], "-ERR value is out of range, must be positive\r\n", 0),
            (["SRANDMEMBER", "s", "-9223372036854775808"], "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", 0),
            (["SRANDMEMBER", "s", "x"], "-ERR value is not an integer or out of range\r\n", 0),
            (["SPOP", "s", "1", "2"], "-ERR syntax error\r\n", 0),
            (["SRANDMEMBER", "s", "1", "2"], "-ERR syntax error\r\n", 0),
            (["SPOP", "s", "3"], "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", 3),
            (["EXISTS", "s"], ":0\r\n", 0),
            (["SADD", "s", "1", "2", "3"], ":3\r\n", 3),
            (["SPOP", "s", "10"], "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n", 3),
            (["EXISTS", "s"], ":0\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["SPOP", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SPOP", "str", "2"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SPOP", "str", "0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SRANDMEMBER", "str"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
            (["SRANDMEMBER", "str", "2"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testSscanCompactAndErrors() {
        transcript([
            (["SADD", "s", "3", "1", "20", "2"], ":4\r\n", 4),
            (["SSCAN", "s", "0"], "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n", 0),
            (["SSCAN", "s", "7"], "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n", 0),
            (["SSCAN", "s", "0", "MATCH", "2*"], "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n2\r\n$2\r\n20\r\n", 0),
            (["SSCAN", "s", "0", "match", "*", "count", "100"], "*2\r\n$1\r\n0\r\n*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n20\r\n", 0),
            (["SSCAN", "s", "0", "COUNT", "0"], "-ERR syntax error\r\n", 0),
            (["SSCAN", "s", "0", "COUNT", "x"], "-ERR value is not an integer or out of range\r\n", 0),
            (["SSCAN", "s", "0", "MATCH"], "-ERR syntax error\r\n", 0),
            (["SSCAN", "s", "0", "FOO", "bar"], "-ERR syntax error\r\n", 0),
            (["SSCAN", "s", "x"], "-ERR invalid cursor\r\n", 0),
            (["SSCAN", "s", "-1"], "-ERR invalid cursor\r\n", 0),
            (["SSCAN", "missing", "0"], "*2\r\n$1\r\n0\r\n*0\r\n", 0),
            (["SSCAN", "missing", "0", "COUNT", "0"], "*2\r\n$1\r\n0\r\n*0\r\n", 0),
            (["SSCAN", "missing", "x"], "-ERR invalid cursor\r\n", 0),
            (["SET", "str", "v"], "+OK\r\n", 1),
            (["SSCAN", "str", "0"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0),
        ])
    }

    func testDigests() {
        transcript([
            (["SADD", "ints", "1", "2", "300"], ":3\r\n", 3),
            (["SADD", "strs", "a", "b", "c"], ":3\r\n", 3),
            (["DEBUG", "DIGEST-VALUE", "ints", "strs"], "*2\r\n+bff1310353f341fe4488c7323df3673679c04f02\r\n+593c2414786d75446e97f4ea5d4b731f3313da72\r\n", 0),
            (["DEBUG", "DIGEST"], "+db3036f5056bbd7688d0f85371180255528a198e\r\n", 0),
        ])
    }

    func testResp3Replies() {
        transcript([
            (["HELLO", "3"], nil, 0),
            (["SADD", "s", "1", "2"], ":2\r\n", 2),
            (["SMEMBERS", "s"], "~2\r\n$1\r\n1\r\n$1\r\n2\r\n", 0),
            (["SINTER", "s", "s"], "~2\r\n$1\r\n1\r\n$1\r\n2\r\n", 0),
            (["SUNION", "s"], "~2\r\n$1\r\n1\r\n$1\r\n2\r\n", 0),
            (["SDIFF", "s", "missing"], "~2\r\n$1\r\n1\r\n$1\r\n2\r\n", 0),
            (["SPOP", "missing", "2"], "~0\r\n", 0),
            (["SPOP", "s", "0"], "~0\r\n", 0),
            (["SRANDMEMBER", "s", "5"], "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", 0),
            (["SRANDMEMBER", "missing", "2"], "*0\r\n", 0),
            (["SMISMEMBER", "s", "1", "3"], "*2\r\n:1\r\n:0\r\n", 0),
            (["SMEMBERS", "missing"], "~0\r\n", 0),
            (["SPOP", "s", "2"], "~2\r\n$1\r\n1\r\n$1\r\n2\r\n", 2),
        ])
    }

    func testWatchBreaksOnlyWhenASetChanges() {
        transcript([
            (["SADD", "s", "a", "b"], ":2\r\n", 2),
            (["WATCH", "s"], "+OK\r\n", 0),
            (["SADD", "s", "a"], ":0\r\n", 0),
            (["SREM", "s", "nosuch"], ":0\r\n", 0),
            (["SMOVE", "s", "t", "nosuch"], ":0\r\n", 0),
            (["SINTERSTORE", "other", "s"], ":2\r\n", 1),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*1\r\n+PONG\r\n", 0),
            (["WATCH", "s"], "+OK\r\n", 0),
            (["SADD", "s", "c"], ":1\r\n", 1),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*-1\r\n", 0),
            (["WATCH", "t"], "+OK\r\n", 0),
            (["SMOVE", "s", "t", "a"], ":1\r\n", 2),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*-1\r\n", 0),
            (["WATCH", "d"], "+OK\r\n", 0),
            (["SUNIONSTORE", "d", "missing"], ":0\r\n", 0),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*1\r\n+PONG\r\n", 0),
            (["WATCH", "d"], "+OK\r\n", 0),
            (["SUNIONSTORE", "d", "s"], ":2\r\n", 1),
            (["MULTI"], "+OK\r\n", 0),
            (["PING"], "+QUEUED\r\n", 0),
            (["EXEC"], "*-1\r\n", 0),
        ])
    }

    // MARK: Redis 7.2 listpack encoding (7.0 would say hashtable)

    func testListpackThresholds() {
        run(["SADD", "s", "a", "b"])
        XCTAssertEqual(encoding("s"), "listpack")
        XCTAssertEqual(run(["SMEMBERS", "s"]), "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "listpack keeps insertion order")
        run(["SADD", "s"] + (0..<126).map { "m\($0)" })
        XCTAssertEqual(encoding("s"), "listpack", "128 members fit")
        run(["SADD", "s", "one-more"])
        XCTAssertEqual(encoding("s"), "hashtable")
        run(["SREM", "s"] + (0..<126).map { "m\($0)" })
        XCTAssertEqual(encoding("s"), "hashtable", "never converted back")

        run(["SADD", "long", String(repeating: "x", count: 64)])
        XCTAssertEqual(encoding("long"), "listpack", "64 bytes fit")
        run(["SADD", "long", String(repeating: "y", count: 65)])
        XCTAssertEqual(encoding("long"), "hashtable")

        // Creating with more members than a listpack holds goes straight to a hash table.
        run(["SADD", "many"] + (0..<129).map { "m\($0)" })
        XCTAssertEqual(encoding("many"), "hashtable")

        // An intset meets a string: a listpack while the intset is small enough.
        run(["SADD", "mixed", "1", "2", "3"])
        run(["SADD", "mixed", "x"])
        XCTAssertEqual(encoding("mixed"), "listpack")
        XCTAssertEqual(run(["SMEMBERS", "mixed"]), "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\nx\r\n")
    }

    func testStoreResultEncodings() {
        run(["SADD", "a", "x", "1", "2"])
        run(["SADD", "b", "1", "2", "x", "y"])
        run(["SINTERSTORE", "ints", "a", "b", "ints-only"])
        XCTAssertNil(value("ints"))
        run(["SADD", "c", "1", "2", "q"])
        run(["SINTERSTORE", "ints", "a", "c"])
        XCTAssertEqual(encoding("ints"), "intset", "an all-integer intersection becomes an intset")
        run(["SINTERSTORE", "mixed", "a", "b"])
        XCTAssertEqual(encoding("mixed"), "listpack")
        run(["SUNIONSTORE", "u", "a", "b"])
        XCTAssertEqual(encoding("u"), "listpack")
        XCTAssertEqual(run(["SMEMBERS", "u"]), "*4\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\ny\r\n",
                       "members arrive in the operands' order")
    }

    func testSpopOfMostOfAHashTableLeavesACompactSet() {
        run(["SADD", "s"] + (0..<300).map { "m\($0)" })
        XCTAssertEqual(encoding("s"), "hashtable")
        XCTAssertTrue(run(["SPOP", "s", "290"]).hasPrefix("*290\r\n"))
        XCTAssertEqual(encoding("s"), "listpack")
        XCTAssertEqual(run(["SCARD", "s"]), ":10\r\n")
        XCTAssertTrue(run(["SPOP", "s", "2"]).hasPrefix("*2\r\n"))
        XCTAssertEqual(run(["SCARD", "s"]), ":8\r\n")
    }

    // MARK: random replies

    func testRandomRepliesAreMembers() {
        run(["SADD", "s"] + (0..<200).map { "m\($0)" })
        for count in [1, 5, 100, 199] {
            let got = members(run(["SRANDMEMBER", "s", String(count)]))
            XCTAssertEqual(got.count, count)
            XCTAssertEqual(Set(got).count, count, "distinct")
            XCTAssertTrue(got.allSatisfy { $0.hasPrefix("m") })
        }
        let repeated = members(run(["SRANDMEMBER", "s", "-500"]))
        XCTAssertEqual(repeated.count, 500)
        var popped = Set<String>()
        for n in [1, 3, 50, 150] {
            let got = members(run(["SPOP", "s", String(n)]))
            XCTAssertEqual(got.count, min(n, 200 - popped.count))
            popped.formUnion(got)
        }
        XCTAssertEqual(popped.count, 200, "all popped members distinct")
        XCTAssertNil(value("s"), "popping everything deletes the key")
    }

    private func members(_ reply: String) -> [String] {
        reply.components(separatedBy: "\r\n").filter { !$0.isEmpty && !$0.hasPrefix("*") && !$0.hasPrefix("$") }
    }

    // MARK: scanning and copy-on-write

    func testSscanVisitsEveryMemberOfAGrowingSet() {
        let all = Set((0..<5000).map { "k\($0)" })
        run(["SADD", "s"] + Array(all))
        var seen = Set<String>()
        var cursor = "0"
        repeat {
            let lines = run(["SSCAN", "s", cursor, "COUNT", "100"]).components(separatedBy: "\r\n")
            cursor = lines[2]
            seen.formUnion(lines.dropFirst(4).filter { $0.hasPrefix("k") })
            // Growth between calls splits chunks; members present throughout must still all be seen.
            run(["SADD", "s", "extra\(seen.count)"])
        } while cursor != "0"
        XCTAssertTrue(all.isSubset(of: seen))
    }

    func testCopyOfLargeSetSharesAllButOneChunk() {
        var original = SetValue()
        let limits = SetLimits(EngineSettings())
        for i in 0..<100_000 { original.add(Bytes(string: "member:\(i)"), limits: limits) }
        XCTAssertEqual("\(original.encodingName)", "hashtable")
        let copy = original
        let before = copy.chunkIdentities
        XCTAssertGreaterThan(before.count, 50)
        XCTAssertTrue(original.remove(Bytes(string: "member:7")))
        original.add(Bytes(string: "member:7-new"), limits: limits)
        XCTAssertEqual(copy.chunkIdentities, before)
        XCTAssertTrue(copy.contains(Bytes(string: "member:7")))
        XCTAssertFalse(copy.contains(Bytes(string: "member:7-new")))
        XCTAssertEqual(copy.count, 100_000)
        let changed = zip(before, original.chunkIdentities).filter { $0 != $1 }.count
        XCTAssertLessThanOrEqual(changed, 2, "only the chunks holding the two edited members were copied")
        XCTAssertGreaterThanOrEqual(changed, 1)
    }

    // MARK: command table

    func testCommandTableMatchesRedis() {
        // name, arity, flags, first key, last key, key step, ACL categories (Redis 7.2's COMMAND INFO)
        let expected: [(String, Int, CommandFlags, Int, Int, Int, [String])] = [
            ("sadd", -3, [.write, .denyOOM, .fast], 1, 1, 1, ["@write", "@set", "@fast"]),
            ("srem", -3, [.write, .fast], 1, 1, 1, ["@write", "@set", "@fast"]),
            ("scard", 2, [.readonly, .fast], 1, 1, 1, ["@read", "@set", "@fast"]),
            ("sismember", 3, [.readonly, .fast], 1, 1, 1, ["@read", "@set", "@fast"]),
            ("smismember", -3, [.readonly, .fast], 1, 1, 1, ["@read", "@set", "@fast"]),
            ("smembers", 2, [.readonly], 1, 1, 1, ["@read", "@set", "@slow"]),
            ("srandmember", -2, [.readonly], 1, 1, 1, ["@read", "@set", "@slow"]),
            ("spop", -2, [.write, .fast], 1, 1, 1, ["@write", "@set", "@fast"]),
            ("smove", 4, [.write, .fast], 1, 2, 1, ["@write", "@set", "@fast"]),
            ("sinter", -2, [.readonly], 1, -1, 1, ["@read", "@set", "@slow"]),
            ("sinterstore", -3, [.write, .denyOOM], 1, -1, 1, ["@write", "@set", "@slow"]),
            ("sintercard", -3, [.readonly], 0, 0, 0, ["@read", "@set", "@slow"]),
            ("sunion", -2, [.readonly], 1, -1, 1, ["@read", "@set", "@slow"]),
            ("sunionstore", -3, [.write, .denyOOM], 1, -1, 1, ["@write", "@set", "@slow"]),
            ("sdiff", -2, [.readonly], 1, -1, 1, ["@read", "@set", "@slow"]),
            ("sdiffstore", -3, [.write, .denyOOM], 1, -1, 1, ["@write", "@set", "@slow"]),
            ("sscan", -3, [.readonly], 1, 1, 1, ["@read", "@set", "@slow"]),
        ]
        for (name, arity, flags, first, last, step, categories) in expected {
            guard let c = engine.commands.lookup(name) else { XCTFail("\(name) not registered"); continue }
            XCTAssertEqual(c.arity, arity, name)
            XCTAssertEqual(c.flags, flags, name)
            XCTAssertEqual(c.keys.first, first, name)
            XCTAssertEqual(c.keys.last, last, name)
            XCTAssertEqual(c.keys.step, step, name)
            XCTAssertEqual(c.categories, categories, name)
            XCTAssertEqual(c.group, "set", name)
        }
    }
}
