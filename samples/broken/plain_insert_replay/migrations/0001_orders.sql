-- Orders loaded from the shop's batch exports.
CREATE TABLE Orders (
  OrderId INT64 NOT NULL,
  CustomerId INT64 NOT NULL,
  OrderDate DATE NOT NULL,
  Amount NUMERIC NOT NULL,
  Status STRING(16) NOT NULL,
  Batch STRING(64) NOT NULL,
) PRIMARY KEY (OrderId);
