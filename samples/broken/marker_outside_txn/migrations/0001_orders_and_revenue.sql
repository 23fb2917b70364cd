-- Orders and a running revenue total per order date, maintained incrementally.
CREATE TABLE Orders (
  OrderId INT64 NOT NULL,
  CustomerId INT64 NOT NULL,
  OrderDate DATE NOT NULL,
  Amount NUMERIC NOT NULL,
  Status STRING(16) NOT NULL,
  Batch STRING(64) NOT NULL,
) PRIMARY KEY (OrderId);

CREATE TABLE DailyRevenue (
  OrderDate DATE NOT NULL,
  Revenue NUMERIC NOT NULL,
  OrderCount INT64 NOT NULL,
  UpdatedAt TIMESTAMP NOT NULL OPTIONS (allow_commit_timestamp = true),
) PRIMARY KEY (OrderDate);
