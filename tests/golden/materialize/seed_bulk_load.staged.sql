1|Cairo|Greater Cairo|2020-01-15|true|1200.50|\N|2024-01-01 08:00:00
2|Giza|Greater Cairo|2021-03-01|false|99.5|c2FpZCAiaGki|2024-01-02 09:30:00
3|الإسكندرية|North Coast|2019-07-30|TRUE|10|dHdvCmxpbmVz|\N
