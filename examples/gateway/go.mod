module example.com/photos/gateway

go 1.22
