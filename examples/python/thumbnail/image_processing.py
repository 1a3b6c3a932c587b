"""The seed's image-processing handler (section 3 of the seed document), run
unchanged in shape on nimbus: a boto3 resource, `s3.Object(...).get()['Body']`,
Pillow resizing the picture to fit 200x200, the result uploaded under
`serverless/`. Fixed where the seed's text could not run: the bucket and key
come from the S3 event (they were undefined names), the Body stream is read
into memory first (Pillow needs to seek), and the resized image's encoded
bytes are uploaded (the seed uploaded the PIL image object itself)."""
from io import BytesIO
from urllib.parse import unquote_plus

import boto3
from PIL import Image

s3 = boto3.resource('s3')


def lambda_handler(event, context):
    try:
        for record in event['Records']:
            bucket_name = record['s3']['bucket']['name']
            file_key = unquote_plus(record['s3']['object']['key'])
            obj = s3.Object(bucket_name, file_key)
            stream = BytesIO(obj.get()['Body'].read())

            # Open image using Pillow library
            with Image.open(stream) as im:
                width, height = im.size

                # Resize the image to fit within the specified dimensions (200x200 pixels in this case)
                if width > height:
                    scale = float(height) / float(width)
                    new_width = 200
                    new_height = max(1, int(scale * 200))
                else:
                    scale = float(width) / float(height)
                    new_width = max(1, int(scale * 200))
                    new_height = 200

                resized_im = im.resize((new_width, new_height))

                # Save the resized image back into S3 bucket
                output_key = f'serverless/{file_key}'
                body = BytesIO()
                resized_im.save(body, format=im.format)

                # Upload the resized image into S3 bucket
                s3.Bucket(bucket_name).put_object(Key=output_key, Body=body.getvalue(),
                                                  ContentType=Image.MIME.get(im.format, 'application/octet-stream'))
                print(f'resized s3://{bucket_name}/{file_key} {width}x{height} -> {output_key} {new_width}x{new_height}')

    except Exception as e:
        print(e)
        return {
            "statusCode": 500,
            "body": str(e),
        }

    return {
        "statusCode": 200,
        "body": "Image resized successfully",
    }
